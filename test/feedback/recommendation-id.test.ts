import { describe, expect, it } from 'vitest';
import { newRecommendationId, recommendationLabels } from '../../src/feedback/index.js';

describe('recommendation ids', () => {
  const labels = { surface: 'SIMILAR_ITEMS', experiment: 'exp', variant: 'B', modelVersion: '20261201T193910Z-be39dc8ad297' } as const;

  it('are new every time and carry their labels', () => {
    const a = newRecommendationId(labels);
    expect(newRecommendationId(labels)).not.toBe(a);
    expect(recommendationLabels(a)).toEqual(labels);
    expect(recommendationLabels(newRecommendationId({ ...labels, surface: 'RECOMMENDATIONS', experiment: null, variant: null }))).toEqual({
      ...labels,
      surface: 'RECOMMENDATIONS',
      experiment: null,
      variant: null,
    });
    expect(a.length).toBeLessThan(200);
  });

  it('read no labels from anything else', () => {
    for (const id of ['', 'r1.', 'r1.!!!', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', `r1.${Buffer.from('[1,2]').toString('base64url')}`, `r1.${Buffer.from('["n",7,null,null,"m"]').toString('base64url')}`]) {
      expect(recommendationLabels(id)).toBeNull();
    }
  });
});
