/**
 * Ids order by Unicode code point, which is the order of their UTF-8 bytes and SQLite's `BINARY`
 * collation. A store whose own string order may differ (Neo4j compares some strings by UTF-16 code
 * unit, which puts U+10000 and above before U+E000–U+FFFF) orders by this key instead: the UTF-8
 * bytes in hex, plain ASCII, so that any string comparison of keys is code point order of ids.
 */
export const idSortKey = (id: string): string => Buffer.from(id, 'utf8').toString('hex');
