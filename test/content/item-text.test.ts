import { describe, expect, it } from 'vitest';
import { itemText } from '../../src/content/index.js';

describe('the text an item is encoded from', () => {
  it('reads title. category. tags. description', () => {
    expect(itemText({ title: 'Trail boots', category: 'Outdoor', tags: ['waterproof', 'leather'], description: 'Grippy soles.' })).toBe(
      'Trail boots. Outdoor. waterproof, leather. Grippy soles',
    );
  });

  it('leaves out missing or blank parts and collapses whitespace', () => {
    expect(itemText({ title: '  Tea\n set ', category: null, tags: [], description: '   ' })).toBe('Tea set');
    expect(itemText({ title: 'Mug.', category: 'Kitchen' })).toBe('Mug. Kitchen');
  });
});
