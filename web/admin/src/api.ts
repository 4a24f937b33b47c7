/** The GraphQL operations the panel sends to `/graphql`, and the shapes they return. */

export interface ItemView {
  readonly id: string;
  readonly title: string;
  readonly category: string | null;
}

export interface InteractionView {
  readonly type: string;
  readonly weight: number;
  readonly occurredAt: string;
  readonly item: ItemView;
}

export interface ContributionView {
  readonly hop: number;
  readonly layer: number;
  readonly weight: number;
  readonly headWeights: readonly number[];
  readonly share: number;
  readonly item: ItemView;
  readonly user: { readonly id: string } | null;
  readonly evidence?: readonly ContributionView[];
}

export interface RecommendationView {
  readonly rank: number;
  readonly score: number;
  readonly item: ItemView;
  readonly explanation: {
    readonly kind: 'ATTENTION' | 'POPULARITY_FALLBACK';
    readonly summary: string;
    readonly modelVersion: string | null;
    readonly contributions: readonly ContributionView[];
  };
}

export interface UserView {
  readonly id: string;
  readonly interactionCount: number;
  readonly interactions: readonly InteractionView[];
}

export interface ModelView {
  readonly version: string;
  readonly heads: number;
  readonly fanouts: readonly number[];
}

/** How many of the user's neighbours and co-users an explanation shows. */
export const CONTRIBUTIONS_SHOWN = 8;
export const EVIDENCE_SHOWN = 3;

const ITEM = 'id title category';
const CONTRIBUTION = `hop layer weight headWeights share item { ${ITEM} } user { id }`;

const PANEL_QUERY = /* GraphQL */ `
  query Panel($userId: ID!, $first: Int!, $ignore: [ID!]) {
    user(id: $userId) {
      id
      interactionCount
      interactions(first: 20) { type weight occurredAt item { ${ITEM} } }
    }
    recommendations(userId: $userId, first: $first, ignoreItemIds: $ignore) {
      rank
      score
      item { ${ITEM} }
      explanation {
        kind
        summary
        modelVersion
        contributions(first: ${CONTRIBUTIONS_SHOWN}) { ${CONTRIBUTION} evidence(first: ${EVIDENCE_SHOWN}) { ${CONTRIBUTION} } }
      }
    }
  }
`;

const START_QUERY = /* GraphQL */ `
  query PanelStart {
    model { version heads fanouts }
    users(first: 100) { nodes { id } }
  }
`;

export class ApiError extends Error {
  override readonly name = 'ApiError';
}

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string }[] } | null;
  if (body?.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join(' '));
  if (!response.ok || !body?.data) throw new ApiError(`The API answered ${response.status}.`);
  return body.data;
}

export const fetchStart = () =>
  graphql<{ model: ModelView; users: { nodes: { id: string }[] } }>(START_QUERY);

export const fetchPanel = (userId: string, first: number, ignoreItemIds: readonly string[]) =>
  graphql<{ user: UserView | null; recommendations: RecommendationView[] }>(PANEL_QUERY, {
    userId,
    first,
    ignore: ignoreItemIds.length > 0 ? ignoreItemIds : null,
  });
