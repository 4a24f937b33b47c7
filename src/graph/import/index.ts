export { demoDataset, INTERACTION_TYPES, readCsvDataset, readLightGcnDataset, type BadRow, type DatasetFiles } from './dataset-files.js';
export { importDataset, ImportRejectedError, type ImportOptions, type ImportSummary, type OnError } from './import-dataset.js';
