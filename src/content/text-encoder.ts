import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { openSession } from '../inference/index.js';
import { parseEncoderMetadata, TextEncoderContractError, type EncoderFile, type EncoderMetadata } from './encoder-contract.js';
import { createWordPieceTokenizer, type WordPieceTokenizer } from './tokenizer.js';

export interface TextEncoderInfo {
  /** The pretrained model and revision the ONNX file was exported from. */
  readonly model: string;
  readonly revision: string;
  readonly file: string;
  readonly sha256: string;
  readonly dimension: number;
  readonly maxTokens: number;
}

/** A loaded, checked, warmed-up sentence encoder. */
export interface TextEncoder {
  readonly info: TextEncoderInfo;
  /** One unit vector of `info.dimension` floats per text, in the order given. */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface LoadTextEncoderOptions {
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Most texts per onnxruntime run (default 64). */
  readonly batchSize?: number;
  /** The ONNX file to run instead of the one `encoder.json` names (the fp32 benchmark); unchecked. */
  readonly modelFile?: string;
}

export const DEFAULT_ENCODER_BATCH_SIZE = 64;

/**
 * Loads the encoder in `directory` (`models/text-encoder/`), checking every file against
 * `encoder.json`. Without `encoder.json` content features are off: one warning, and null. A folder
 * that is there but wrong throws {@link TextEncoderContractError}.
 */
export async function loadTextEncoder(directory: string, options: LoadTextEncoderOptions): Promise<TextEncoder | null> {
  const metadataPath = join(directory, 'encoder.json');
  const raw = await readFile(metadataPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new TextEncoderContractError(`${metadataPath} is unreadable (${error.message})`);
  });
  if (raw === null) {
    options.logger.warn({ directory }, `content features off: no text encoder (${metadataPath} not found)`);
    return null;
  }
  const metadata = parseEncoderMetadata(parseJson(raw, metadataPath), metadataPath);
  const [onnx, tokenizerJson, tokenizerConfig] = await Promise.all([
    options.modelFile === undefined ? readChecked(directory, metadata.model) : readFile(options.modelFile),
    readChecked(directory, metadata.tokenizer),
    readChecked(directory, metadata.tokenizerConfig),
    // Only checked: tokenizer.json carries the same vocabulary.
    readChecked(directory, metadata.vocab),
  ]);
  const tokenizer = createWordPieceTokenizer(
    parseJson(tokenizerJson.toString('utf8'), metadata.tokenizer.file) as object,
    parseJson(tokenizerConfig.toString('utf8'), metadata.tokenizerConfig.file) as object,
    metadata.maxTokens,
  );
  // Single-threaded, as a worker's session: encoding shares the cores with scoring.
  const session = await openSession(onnx, 'cpu', true);
  const encoder = startEncoder(session, tokenizer, metadata, options.batchSize ?? DEFAULT_ENCODER_BATCH_SIZE);
  try {
    await warmUp(encoder, session, metadata, metadataPath);
  } catch (error) {
    await encoder.close();
    throw error;
  }
  options.logger.info({ model: metadata.source.model, file: encoder.info.file, dimension: metadata.dimension }, 'text encoder loaded');
  return encoder;
}

function startEncoder(session: ort.InferenceSession, tokenizer: WordPieceTokenizer, metadata: EncoderMetadata, batchSize: number): TextEncoder {
  const { dimension } = metadata;
  const runBatch = async (rows: readonly number[][]): Promise<Float32Array[]> => {
    const width = Math.max(...rows.map((ids) => ids.length));
    const ids = new BigInt64Array(rows.length * width);
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((row, r) => {
      row.forEach((id, t) => {
        ids[r * width + t] = BigInt(id);
        mask[r * width + t] = 1n;
      });
    });
    const dims = [rows.length, width];
    const out = await session.run({ input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) }, [metadata.output]);
    const data = out[metadata.output]!.data as Float32Array;
    return rows.map((_, r) => data.slice(r * dimension, (r + 1) * dimension));
  };
  return {
    info: {
      model: metadata.source.model,
      revision: metadata.source.revision,
      file: metadata.model.file,
      sha256: metadata.model.sha256,
      dimension,
      maxTokens: metadata.maxTokens,
    },
    async encode(texts) {
      const tokens = texts.map((text) => tokenizer.encode(text));
      // Texts of similar length share a batch, so little of each run is padding.
      const order = tokens.map((_, i) => i).sort((a, b) => tokens[a]!.length - tokens[b]!.length);
      const vectors = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; start += batchSize) {
        const batch = order.slice(start, start + batchSize);
        const embedded = await runBatch(batch.map((i) => tokens[i]!));
        batch.forEach((i, r) => (vectors[i] = embedded[r]!));
      }
      return vectors;
    },
    close: () => session.release(),
  };
}

/** Proves the session's names and output width against the contract before any real text. */
async function warmUp(encoder: TextEncoder, session: ort.InferenceSession, metadata: EncoderMetadata, source: string): Promise<void> {
  if (session.inputNames.join() !== metadata.inputs.join() || !session.outputNames.includes(metadata.output)) {
    throw new TextEncoderContractError(
      `${source}: the ONNX model takes [${session.inputNames.join(', ')}] and gives [${session.outputNames.join(', ')}], ` +
        `not [${metadata.inputs.join(', ')}] → ${metadata.output}`,
    );
  }
  const [vector] = await encoder.encode(['warm-up']);
  if (vector?.length !== metadata.dimension) {
    throw new TextEncoderContractError(`${source}: the ONNX model gives ${vector?.length} floats per text, not ${metadata.dimension}`);
  }
}

async function readChecked(directory: string, file: EncoderFile): Promise<Buffer> {
  const path = join(directory, file.file);
  const bytes = await readFile(path).catch(() => {
    throw new TextEncoderContractError(`${path} is missing or unreadable`);
  });
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== file.sha256) throw new TextEncoderContractError(`${path} has SHA-256 ${digest}, encoder.json says ${file.sha256}`);
  return bytes;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TextEncoderContractError(`${source} is not valid JSON (${(error as Error).message})`);
  }
}

/** The encoder in `directory`, loaded on first use (only models with a content map need it) and kept. */
export interface SharedTextEncoder {
  get(): Promise<TextEncoder | null>;
  close(): Promise<void>;
}

export function sharedTextEncoder(directory: string | null, options: LoadTextEncoderOptions): SharedTextEncoder {
  let loading: Promise<TextEncoder | null> | undefined;
  return {
    get() {
      if (directory === null) {
        options.logger.warn({}, 'content features off: TEXT_ENCODER_DIR is empty');
        return Promise.resolve(null);
      }
      return (loading ??= loadTextEncoder(directory, options));
    },
    async close() {
      await (await loading?.catch(() => null))?.close();
    },
  };
}
