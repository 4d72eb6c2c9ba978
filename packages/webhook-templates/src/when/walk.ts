import type { LogicalExpr, NotExpr, Operand, WhenExpr } from "./ast";

/** A leaf of a WHEN tree: every node but AND, OR and NOT. */
export type WhenPredicate = Exclude<WhenExpr, LogicalExpr | NotExpr>;

/**
 * The one walker over a WHEN tree: rebuilds `expr` with each predicate replaced by
 * `visit(predicate)`, in reading order (left to right), keeping AND, OR and NOT as they are. Pure:
 * the input tree is not changed.
 */
export function mapPredicates(expr: WhenExpr, visit: (predicate: WhenPredicate) => WhenPredicate): WhenExpr {
  const walk = (e: WhenExpr): WhenExpr => {
    switch (e.kind) {
      case "and":
      case "or":
        return { ...e, left: walk(e.left), right: walk(e.right) };
      case "not":
        return { ...e, operand: walk(e.operand) };
      default:
        return visit(e);
    }
  };
  return walk(expr);
}

/** Rebuilds a predicate with each of its operands replaced by `fn`, in reading order. */
export function mapOperands(predicate: WhenPredicate, fn: (operand: Operand) => Operand): WhenPredicate {
  switch (predicate.kind) {
    case "compare":
    case "distinct":
      return { ...predicate, left: fn(predicate.left), right: fn(predicate.right) };
    case "is_null":
    case "like":
      return { ...predicate, operand: fn(predicate.operand) };
    case "in": {
      const operand = fn(predicate.operand);
      return { ...predicate, operand, list: predicate.list.map(fn) };
    }
  }
}
