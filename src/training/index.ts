export { INTERACTIONS_FILE, interactionsCsv, ITEMS_FILE, itemsCsv } from './dataset-csv.js';
export { exportStoreDataset, type StoreExportProgress, type StoreExportSummary } from './store-export.js';
export { installModel, ModelInstallError, referencedFiles, type InstallResult, type ModelFile } from './model-install.js';
export { runTrainer, trainerArguments, TrainerError, type TrainerRun } from './python-trainer.js';
export { registerServingProcess, signalServingProcesses, type ReloadSignals } from './serving-processes.js';
export { fitContentMap, type FitContentMapOptions } from './content-map.js';
