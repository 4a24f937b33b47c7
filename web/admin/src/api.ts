/** The requests the panel sends (GraphQL operations to `/graphql`, its session check), and the shapes they return. */

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

/** A business rule that moved an item; `kind` is `BOOST`, `BURY` or `PIN`, or one this panel predates. */
export interface AppliedRuleView {
  readonly kind: string;
  readonly name: string;
  readonly factor: number | null;
  readonly position: number | null;
}

export interface ExplanationView {
  /** One of `EXPLANATION_KINDS` (explanation-kinds.ts), or a kind this panel predates. */
  readonly kind: string;
  readonly summary: string;
  readonly modelVersion: string | null;
  readonly contributions: readonly ContributionView[];
  readonly rules: readonly AppliedRuleView[];
}

export interface RecommendationView {
  readonly rank: number;
  readonly score: number;
  readonly item: ItemView;
  readonly explanation: ExplanationView;
  /** The experiment variant that served the answer; null outside an experiment. */
  readonly variant: string | null;
}

/** An item like the one picked: `explanation` is of kind `SIMILAR_ITEMS`, with no contributions. */
export interface SimilarItemView {
  readonly rank: number;
  readonly score: number;
  readonly sharedUserCount: number;
  readonly item: ItemView;
  readonly explanation: Pick<ExplanationView, 'kind' | 'summary'>;
  readonly variant: string | null;
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
/** How many similar items the panel lists for a picked item. */
export const SIMILAR_SHOWN = 10;

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
        rules { kind name factor position }
      }
      variant
    }
  }
`;

const SIMILAR_QUERY = /* GraphQL */ `
  query PanelSimilar($itemId: ID!, $userId: ID!) {
    similarItems(itemId: $itemId, first: ${SIMILAR_SHOWN}, userId: $userId) {
      rank
      score
      sharedUserCount
      item { ${ITEM} }
      explanation { kind summary }
      variant
    }
  }
`;

const START_QUERY = /* GraphQL */ `
  query PanelStart {
    model { version heads fanouts }
    users(first: 100) { nodes { id } }
  }
`;

/** A failed request, with its distinct messages once each and the error codes the API sent. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly codes: ReadonlySet<string> = new Set(),
  ) {
    super(message);
  }

  /** The key or token is missing, wrong or lacks the role: signing in again may help. */
  get needsSignIn(): boolean {
    return this.codes.has('UNAUTHENTICATED') || this.codes.has('FORBIDDEN');
  }
}

/** The admin key or token the panel signed in with; null where the API needs none. */
export type Token = string | null;

const authorization = (token: Token): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

/** What the API's admin gate makes of a token (no token is admitted where the API is open). */
export type SessionCheck = 'admitted' | 'unauthenticated' | 'forbidden';

/** Asks `/admin/session` (beside the page: 204 for an admin, 401 or 403 otherwise) before the panel uses a token. */
export async function checkSession(token: Token): Promise<SessionCheck> {
  const response = await fetch('session', { headers: authorization(token) });
  if (response.ok) return 'admitted';
  if (response.status === 401) return 'unauthenticated';
  if (response.status === 403) return 'forbidden';
  throw new ApiError(`The session check answered ${response.status}.`);
}

type GraphQLErrorBody = { message: string; extensions?: { code?: string } };

async function graphql<T>(token: Token, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authorization(token) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: GraphQLErrorBody[] } | null;
  if (body?.errors?.length) {
    // A refused field repeats its error once per list entry: show each message once.
    const messages = new Set(body.errors.map((e) => e.message));
    const codes = new Set(body.errors.flatMap((e) => (e.extensions?.code ? [e.extensions.code] : [])));
    throw new ApiError([...messages].join(' '), codes);
  }
  if (!response.ok || !body?.data) throw new ApiError(`The API answered ${response.status}.`);
  return body.data;
}

export const fetchStart = (token: Token) =>
  graphql<{ model: ModelView; users: { nodes: { id: string }[] } }>(token, START_QUERY);

export const fetchPanel = (token: Token, userId: string, first: number, ignoreItemIds: readonly string[]) =>
  graphql<{ user: UserView | null; recommendations: RecommendationView[] }>(token, PANEL_QUERY, {
    userId,
    first,
    ignore: ignoreItemIds.length > 0 ? ignoreItemIds : null,
  });

/** The items like `itemId`, personalised for `userId` (their own items left out). */
export const fetchSimilar = (token: Token, itemId: string, userId: string) =>
  graphql<{ similarItems: SimilarItemView[] }>(token, SIMILAR_QUERY, { itemId, userId });
