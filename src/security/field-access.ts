import type { ApolloServerPlugin } from '@apollo/server';
import {
  getArgumentValues,
  isObjectType,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Role } from '../config.js';
import { ForbiddenError, UnauthenticatedError, type RecographError } from '../errors.js';
import { AccessPolicy, type Caller } from './access-policy.js';
import { coercedVariables } from './variables.js';

type Arguments = Record<string, any>;

/**
 * Who may use a field: keys of `role` (null: anyone, anonymous included; a function: the role its
 * arguments need), and subjects as `subjectIds` says.
 */
interface FieldAccess {
  readonly role: Role | null | ((args: Arguments) => Role | null);
  /** The user ids the field's arguments name, all of which must be the subject's; absent: subjects as anyone else. */
  readonly subjectIds?: (args: Arguments) => readonly unknown[];
}

const ANYONE: FieldAccess = { role: null };
/** A user's own data: reached only through root fields that check the subject. */
const USER_DATA: FieldAccess = { role: 'reader', subjectIds: () => [] };

/**
 * Every root field, and the fields below them that hold users' data. A root field missing here is
 * refused to all but reader keys, so a new one is private until listed.
 */
const FIELD_ACCESS: Readonly<Record<string, FieldAccess>> = {
  'Query.items': ANYONE,
  'Query.item': ANYONE,
  'Query.model': ANYONE,
  // Every user's feedback at once: the operator's.
  'Query.feedbackReport': { role: 'admin' },
  'Query.users': { role: 'reader' },
  'Query.user': { role: 'reader', subjectIds: (a) => [a.id] },
  // A visit without a user is no one's data: a subject may rank one as well as their own.
  'Query.recommendations': { role: 'reader', subjectIds: (a) => (a.userId == null ? [] : [a.userId]) },
  'Query.recommendationList': { role: 'reader', subjectIds: (a) => [a.userId] },
  // Catalogue data for anyone; personalised by a user, that user's data.
  'Query.similarItems': { role: (a) => (a.userId == null ? null : 'reader'), subjectIds: (a) => (a.userId == null ? [] : [a.userId]) },
  // Routers need the SDL; nobody else does.
  'Query._service': { role: 'reader' },
  // Anyone may resolve Items; a subject's User representations must be theirs (User's fields are USER_DATA).
  'Query._entities': {
    role: null,
    subjectIds: (a) => (a.representations as { __typename?: unknown; id?: unknown }[]).filter((r) => r.__typename === 'User').map((r) => r.id),
  },
  'User.interactionCount': USER_DATA,
  'User.interactions': USER_DATA,
  'User.recommendations': USER_DATA,
  // Other users reached through an explanation: admin only, whoever the explanation is for.
  'Contribution.user': { role: 'admin' },
  'Mutation.recordInteractions': { role: 'writer', subjectIds: (a) => (a.input as { userId: unknown }[]).map((i) => i.userId) },
  // The catalogue is the service's, never an end user's to change.
  'Mutation.upsertItems': { role: 'writer' },
  'Mutation.deleteUser': { role: 'admin', subjectIds: (a) => [a.id] },
};

const ROOT_DEFAULT: FieldAccess = { role: 'reader' };

/** Ids compare as the resolvers will see them: NFC-normalised. */
const sameUser = (id: unknown, userId: string) => typeof id === 'string' && id.normalize('NFC') === userId;

function allowed(caller: Caller, access: FieldAccess, args: () => Arguments): boolean {
  const role = typeof access.role === 'function' ? access.role(args()) : access.role;
  switch (caller.kind) {
    case 'anonymous':
      return role === null;
    case 'service':
      return role === null || AccessPolicy.holds(caller, role);
    case 'subject':
      if (access.subjectIds === undefined) return role === null;
      return access.subjectIds(args()).every((id) => sameUser(id, caller.userId));
  }
}

/** Arguments that cannot be read (validation reports them) refuse rather than admit. */
function permits(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function refusal(caller: Caller, coordinate: string): RecographError {
  return caller.kind === 'anonymous'
    ? new UnauthenticatedError(`Authentication required for \`${coordinate}\`: send a valid API key or token as \`Authorization: Bearer <credential>\`.`)
    : new ForbiddenError(`use \`${coordinate}\` here`);
}

/** A field an operation reaches that not everyone may use, with the rule that says who may. */
interface GuardedField {
  readonly coordinate: string;
  readonly access: FieldAccess;
  readonly field: GraphQLField<unknown, unknown>;
  readonly node: FieldNode;
}

/**
 * The guarded fields of `operation` and of every fragment of its document, in document order: the
 * same for every caller and every variable value, so walked once per parsed operation.
 */
function guardedFields(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): GuardedField[] {
  const fields: GuardedField[] = [];
  const roots = new Set([schema.getQueryType(), schema.getMutationType()]);
  validate(schema, document, [
    (context) => ({
      OperationDefinition: (node) => (node === operation ? undefined : false),
      Field(node) {
        const parent = context.getParentType();
        const field = context.getFieldDef();
        if (!parent || !field || !isObjectType(parent)) return;
        const coordinate = `${parent.name}.${field.name}`;
        const access = FIELD_ACCESS[coordinate] ?? (roots.has(parent) && !field.name.startsWith('__') ? ROOT_DEFAULT : ANYONE);
        if (access !== ANYONE) fields.push({ coordinate, access, field, node });
      },
    }),
  ]);
  return fields;
}

/** The first field the caller may not use, or undefined. */
function firstRefused(caller: Caller, fields: readonly GuardedField[], variables: Record<string, unknown>): GuardedField | undefined {
  return fields.find(({ access, field, node }) => !permits(() => allowed(caller, access, () => getArgumentValues(field, node, variables))));
}

/**
 * Field-level access, checked once per operation before execution: a caller who may not use a
 * field gets one error (401 anonymous, 403 otherwise) instead of one per list entry, and nothing runs.
 */
export function fieldAccessPlugin<TContext extends { readonly caller: Caller }>(): ApolloServerPlugin<TContext> {
  // Keyed by the parsed operation, which Apollo's document store hands out again for the same text.
  const guarded = new WeakMap<OperationDefinitionNode, GuardedField[]>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          const { caller } = contextValue;
          if (AccessPolicy.holds(caller, 'admin') || !operation) return;
          const variables = coercedVariables(schema, operation, request.variables);
          if (variables === null) return;
          let fields = guarded.get(operation);
          if (fields === undefined) {
            fields = guardedFields(schema, document, operation);
            guarded.set(operation, fields);
          }
          const refused = firstRefused(caller, fields, variables);
          if (refused) throw refusal(caller, refused.coordinate);
        },
      };
    },
  };
}
