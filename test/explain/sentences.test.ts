import { describe, expect, it } from 'vitest';
import { becauseSentence, fallbackSentence, type Reason } from '../../src/explain/index.js';
import { itemRecord } from '../../src/graph/index.js';

const reason = (title: string, type: Reason['type']): Reason => ({ item: itemRecord({ id: title, title }), type });

describe('explanation sentences', () => {
  it('name what the user did with each item', () => {
    expect(becauseSentence([reason('A', 'PURCHASE'), reason('B', 'VIEW')])).toBe('Because you bought “A” and viewed “B”.');
    expect(becauseSentence([reason('A', 'CHECK_IN')])).toBe('Because you checked in at “A”.');
    expect(becauseSentence([reason('A', 'ADD_TO_CART'), reason('B', 'CLICK')])).toBe('Because you put “A” in your basket and clicked “B”.');
  });

  it('say a shared verb once, except where the phrase wraps the item', () => {
    expect(becauseSentence([reason('A', 'LIKE'), reason('B', 'LIKE')])).toBe('Because you liked “A” and “B”.');
    expect(becauseSentence([reason('A', 'ADD_TO_CART'), reason('B', 'ADD_TO_CART')])).toBe(
      'Because you put “A” in your basket and put “B” in your basket.',
    );
  });

  it('fall back to plain words without a reason, and say why popularity was used', () => {
    expect(becauseSentence([])).toBe('Ranked by the model from your recent activity.');
    expect(fallbackSentence('UNKNOWN_USER')).toMatch(/do not know you yet/);
    expect(fallbackSentence('NO_MODELLED_SESSION_ITEMS')).toMatch(/in this visit/);
  });
});
