// Bounds on a GraphQL document, so that a hostile one costs no more than a legitimate one and is answered
// 400 before it runs: a token budget for graphql's parser (its own `maxTokens`, which also bounds how deep
// its recursive descent can go), then, before graphql's validation rules (some of which are quadratic in
// the document), the depth and the number of selections of the operations, fragments expanded, so that a
// few fragments spread many times count for what they expand to.
import { DocumentNode, FragmentDefinitionNode, GraphQLError, GraphQLSchema, Kind, parse, ParseOptions, SelectionSetNode, Source } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface QueryLimits {
  /** Nesting of fields: `{ me { id } }` is 2 deep. */
  maxDepth: number;
  /** Fields (aliases included), fragment spreads and inline fragments, counted as often as they are reached. */
  maxSelections: number;
  /** Tokens of the document text (names, punctuation, values). */
  maxTokens: number;
}

/** Codefresh's public clients send documents 10 deep at most, with a few dozen fields and under 100 tokens. */
export const defaultQueryLimits: QueryLimits = { maxDepth: 15, maxSelections: 1000, maxTokens: 3000 };

/**
 * graphql's parse, with the token budget. Its recursive descent can still run out of stack on a document
 * nested deeply within the budget (`[[[[…` is one token a level): that is a syntax error too.
 */
export function parseWithinLimits(source: string | Source, limits: QueryLimits, options?: ParseOptions): DocumentNode {
  try {
    return parse(source, { ...options, maxTokens: limits.maxTokens });
  } catch (error) {
    if ((error as Error | undefined)?.name === "RangeError") throw new GraphQLError("Syntax Error: Document is nested too deeply to parse.");
    throw error;
  }
}

/** The first limit `document` breaks, or an operation type `schema` lacks, as a GraphQL error; undefined if none. */
export function queryLimitError(document: DocumentNode, schema: GraphQLSchema, limits: QueryLimits): GraphQLError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let selections = 0;
  const expanding = new Set<string>(); // fragments on the current path: a cycle is graphql's NoFragmentCyclesRule's to report

  const measure = (set: SelectionSetNode, depth: number): GraphQLError | undefined => {
    for (const selection of set.selections) {
      if (++selections > limits.maxSelections) {
        const what = "fields and aliases, fragment spreads and inline fragments, a fragment counted each time it is spread";
        return new GraphQLError(`Query has more than ${limits.maxSelections} selections (${what}).`, { nodes: selection });
      }
      let inner: GraphQLError | undefined;
      if (selection.kind === Kind.FIELD) {
        if (depth > limits.maxDepth) {
          return new GraphQLError(`Query is more than ${limits.maxDepth} levels deep (at field "${selection.name.value}").`, { nodes: selection });
        }
        if (selection.selectionSet) inner = measure(selection.selectionSet, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet, depth);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment === undefined || expanding.has(name)) continue; // unknown or cyclic: graphql's rules report it
        expanding.add(name);
        inner = measure(fragment.selectionSet, depth);
        expanding.delete(name);
      }
      if (inner) return inner;
    }
    return undefined;
  };

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    // graphql's validation has no rule for a missing root type: without this, execution would answer 200.
    if (!schema.getRootType(definition.operation)) {
      return new GraphQLError(`This API has no ${definition.operation} operations.`, { nodes: definition });
    }
    const error = measure(definition.selectionSet, 1);
    if (error) return error;
  }
  return undefined;
}

/** The yoga plugin: the token budget for the parser, the other limits ahead of graphql's own validation. */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions) => parseWithinLimits(source, limits, options));
    },
    onValidate({ params, setResult }) {
      // envelop types these as `any`: they are validate's own arguments.
      const { documentAST, schema } = params as { documentAST: DocumentNode; schema: GraphQLSchema };
      const error = queryLimitError(documentAST, schema, limits);
      if (error) setResult([error]); // graphql's rules do not run on a document over the limits
    },
  };
}
