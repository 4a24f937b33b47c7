import { Tokenizer } from '@huggingface/tokenizers';

/** BERT WordPiece (uncased) token ids with `[CLS]` … `[SEP]`, truncated to `maxTokens` in all. */
export interface WordPieceTokenizer {
  encode(text: string): number[];
}

/**
 * Builds the tokenizer from `tokenizer.json` and `tokenizer_config.json`. The library neither
 * truncates nor adds special tokens the way the reference does for one sentence, so this does:
 * the text's own tokens are cut to `maxTokens − 2`, then wrapped in `[CLS]` and `[SEP]`
 * (what the Rust tokenizer's longest-first truncation gives for a single sequence).
 */
export function createWordPieceTokenizer(tokenizerJson: object, tokenizerConfig: object, maxTokens: number): WordPieceTokenizer {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const special = (token: string): number => {
    const id = tokenizer.token_to_id(token);
    if (id === undefined) throw new Error(`tokenizer.json has no ${token} token`);
    return id;
  };
  const cls = special('[CLS]');
  const sep = special('[SEP]');
  return {
    encode: (text) => [cls, ...tokenizer.encode(text, { add_special_tokens: false }).ids.slice(0, maxTokens - 2), sep],
  };
}
