//===- ReplicaOps.cpp - replica dialect operations --------------*- C++ -*-===//

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::replica;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// `tuple<A, B>`: the operand types are the tuple's element types.
static ParseResult parseTupleType(OpAsmParser &parser,
                                  SmallVectorImpl<Type> &elementTypes,
                                  Type &resultType) {
  TupleType tuple;
  if (parser.parseType(tuple))
    return failure();
  llvm::append_range(elementTypes, tuple.getTypes());
  resultType = tuple;
  return success();
}

static void printTupleType(OpAsmPrinter &printer, Operation *, TypeRange,
                           Type resultType) {
  printer << resultType;
}

/// One type written for all N operands.
static ParseResult
parseSameTypes(OpAsmParser &parser,
               ArrayRef<OpAsmParser::UnresolvedOperand> operands,
               SmallVectorImpl<Type> &types) {
  Type type;
  if (parser.parseType(type))
    return failure();
  types.assign(operands.size(), type);
  return success();
}

static void printSameTypes(OpAsmPrinter &printer, Operation *, OperandRange,
                           TypeRange types) {
  if (types.empty())
    printer << "none";
  else
    printer << types.front();
}

/// `[%i]` or `[2]`.
static ParseResult
parseReplicaIndex(OpAsmParser &parser,
                  std::optional<OpAsmParser::UnresolvedOperand> &index,
                  IntegerAttr &staticIndex) {
  OpAsmParser::UnresolvedOperand operand;
  OptionalParseResult dynamic = parser.parseOptionalOperand(operand);
  if (dynamic.has_value()) {
    if (failed(*dynamic))
      return failure();
    index = operand;
    return success();
  }
  int64_t value;
  if (parser.parseInteger(value))
    return failure();
  staticIndex = parser.getBuilder().getI64IntegerAttr(value);
  return success();
}

static void printReplicaIndex(OpAsmPrinter &printer, Operation *, Value index,
                              IntegerAttr staticIndex) {
  if (index)
    printer << index;
  else if (staticIndex)
    printer << staticIndex.getInt();
}

/// `T` or `T -> R`; without the arrow the result has the operand's type.
static ParseResult parseOptionalResultType(OpAsmParser &parser,
                                           Type &inputType, Type &resultType) {
  if (parser.parseType(inputType))
    return failure();
  if (succeeded(parser.parseOptionalArrow()))
    return parser.parseType(resultType);
  resultType = inputType;
  return success();
}

static void printOptionalResultType(OpAsmPrinter &printer, Operation *,
                                    Type inputType, Type resultType) {
  printer << inputType;
  if (resultType != inputType)
    printer << " -> " << resultType;
}

/// The reduction kind as a bare keyword: `sum`, `mean`, ...
static ParseResult parseReductionKind(OpAsmParser &parser,
                                      ReductionKindAttr &kind) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<ReductionKind> value = symbolizeReductionKind(keyword);
  if (!value)
    return parser.emitError(loc, "expected reduction kind sum, mean, max, "
                                 "min or prod, got '")
           << keyword << "'";
  kind = ReductionKindAttr::get(parser.getContext(), *value);
  return success();
}

static void printReductionKind(OpAsmPrinter &printer, Operation *,
                               ReductionKindAttr kind) {
  printer << stringifyReductionKind(kind.getValue());
}

#define GET_OP_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool mlir::replica::isCollective(Operation *op) {
  return isa<AllReduceOp, BatchAllReduceOp, AllReduceStartOp, ReduceToOp,
             BroadcastOp, AllGatherOp>(op);
}

/// The scalar element type of a value a collective can reduce: an integer or
/// float scalar or a ranked tensor of one; null otherwise.
static Type getReducibleScalarType(Type local) {
  if (auto tensor = dyn_cast<RankedTensorType>(local))
    local = tensor.getElementType();
  if (isa<IntegerType, FloatType>(local))
    return local;
  return {};
}

/// The result type of a reduction of `input`: a mirrored value in the
/// cross-replica form, the operand's type in the in-replica form.
static Type getReducedType(Type input) {
  if (auto distributed = dyn_cast<DistributedType>(input))
    return MirroredType::get(input.getContext(), distributed.getNumReplicas(),
                             distributed.getElementType());
  return input;
}

std::optional<int64_t> mlir::replica::getInReplicaContext(Operation *op) {
  if (auto replicate = op->getParentOfType<ReplicateOp>())
    return replicate.getNumReplicas();
  for (Operation *ancestor = op->getParentOp(); ancestor;
       ancestor = ancestor->getParentOp())
    if (auto count = ancestor->getAttrOfType<IntegerAttr>(
            ReplicaDialect::getNumReplicasAttrName()))
      return count.getInt();
  return std::nullopt;
}

/// Checks that a collective appears where its form is valid and returns the
/// number of replicas of its group: the distributed type's count in the
/// cross-replica form, the in-replica context's in the in-replica form.
static FailureOr<int64_t> verifyCollectiveForm(Operation *op,
                                               Type distributedOrLocal) {
  auto replicate = op->getParentOfType<ReplicateOp>();
  if (auto distributed = dyn_cast<DistributedType>(distributedOrLocal)) {
    if (!replicate)
      return distributed.getNumReplicas();
    InFlightDiagnostic diag =
        op->emitOpError("cross-replica form (distributed operand or result) "
                        "is not valid inside a replica.replicate body");
    diag.attachNote(replicate.getLoc()) << "enclosing replicate is here";
    return failure();
  }
  if (std::optional<int64_t> n = getInReplicaContext(op))
    return *n;
  op->emitOpError("in-replica form (local operand and result) is only valid "
                  "inside a replica.replicate body");
  return failure();
}

/// Checks the operand of a reduction: reducible element type and no `mean`
/// on integers.
static LogicalResult verifyReductionOperand(Operation *op, ReductionKind kind,
                                            Type operand, unsigned position) {
  Type local = getLocalType(operand);
  Type scalar = getReducibleScalarType(local);
  if (!scalar)
    return op->emitOpError("operand #")
           << position
           << " must be an integer or float scalar or a ranked tensor of "
              "one, got "
           << local;
  if (kind == ReductionKind::Mean && isa<IntegerType>(scalar))
    return op->emitOpError("reduction 'mean' is not defined on integer "
                           "element type ")
           << scalar;
  return success();
}

static int64_t getNumReplicasOfForm(Operation *op, Type distributedOrLocal) {
  if (auto distributed = dyn_cast<DistributedType>(distributedOrLocal))
    return distributed.getNumReplicas();
  return getInReplicaContext(op).value_or(0);
}

/// The component of a value of type `mirrored<N x T>`: all are equal, so the
/// first one stands for all of them.
static Value getMirroredComponent(PatternRewriter &rewriter, Location loc,
                                  Value mirrored) {
  return UnpackOp::create(rewriter, loc, mirrored).getComponents().front();
}

/// `mirrored<N x T>` of N copies of `component`.
static Value buildMirrored(PatternRewriter &rewriter, Location loc,
                           Value component, int64_t numReplicas) {
  SmallVector<Value> copies(numReplicas, component);
  Type type = MirroredType::get(rewriter.getContext(), numReplicas,
                                component.getType());
  return RegroupOp::create(rewriter, loc, type, copies, /*mirrored=*/true,
                           /*always_wrap=*/true);
}

//===----------------------------------------------------------------------===//
// TupleOp / TupleGetOp / UnpackOp
//===----------------------------------------------------------------------===//

LogicalResult TupleOp::verify() {
  TypeRange expected = getResult().getType().getTypes();
  if (TypeRange(getElements().getTypes()) != expected)
    return emitOpError("element types do not match the result type ")
           << getResult().getType();
  return success();
}

LogicalResult TupleGetOp::verify() {
  TupleType tuple = getTuple().getType();
  int64_t index = getIndex();
  if (index < 0 || index >= static_cast<int64_t>(tuple.size()))
    return emitOpError("index ")
           << index << " is out of range [0, " << tuple.size() << ")";
  if (tuple.getType(index) != getResult().getType())
    return emitOpError("result type ")
           << getResult().getType() << " does not match element #" << index
           << " of type " << tuple.getType(index);
  return success();
}

OpFoldResult TupleGetOp::fold(FoldAdaptor) {
  auto tuple = getTuple().getDefiningOp<TupleOp>();
  if (!tuple)
    return {};
  return tuple.getElements()[getIndex()];
}

LogicalResult UnpackOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto distributed = dyn_cast<DistributedType>(adaptor.getInput().getType());
  if (!distributed)
    return failure();
  // One result per replica: refuse counts no program can hold as results.
  constexpr int64_t maxComponents = 1 << 20;
  if (distributed.getNumReplicas() > maxComponents)
    return emitOptionalError(location, "cannot unpack ",
                             distributed.getNumReplicas(),
                             " components; at most ", maxComponents);
  inferred.assign(distributed.getNumReplicas(), distributed.getElementType());
  return success();
}

LogicalResult UnpackOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &out) {
  auto regroup = getInput().getDefiningOp<RegroupOp>();
  if (!regroup || regroup.getResult().getType() != getInput().getType())
    return failure();
  llvm::append_range(out, regroup.getInputs());
  return success();
}

//===----------------------------------------------------------------------===//
// RegroupOp
//===----------------------------------------------------------------------===//

/// True if every operand's leaf at `path` is the same SSA value, looking
/// through `replica.tuple`.
static bool leavesProvablySame(ValueRange operands, ArrayRef<int64_t> path) {
  SmallVector<Value> values(operands.begin(), operands.end());
  for (size_t depth = 0;; ++depth) {
    if (llvm::all_equal(values))
      return true;
    if (depth == path.size())
      return false;
    for (Value &value : values) {
      auto tuple = value.getDefiningOp<TupleOp>();
      if (!tuple || path[depth] >= static_cast<int64_t>(tuple.getNumOperands()))
        return false;
      value = tuple.getElements()[path[depth]];
    }
  }
}

/// `result` for the whole result, `result leaf [i, j]` for a nested leaf.
static std::string formatPath(ArrayRef<int64_t> path) {
  if (path.empty())
    return "result";
  std::string text = "result leaf [";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(path, os);
  os << "]";
  return text;
}

/// Checks that `result` is the regroup of `local` leaf by leaf.
static LogicalResult verifyRegroupLeaves(RegroupOp op, Type local, Type result,
                                         SmallVectorImpl<int64_t> &path) {
  int64_t n = op.getInputs().size();
  if (auto tuple = dyn_cast<TupleType>(local)) {
    auto resultTuple = dyn_cast<TupleType>(result);
    if (!resultTuple || resultTuple.size() != tuple.size())
      return op.emitOpError()
             << formatPath(path) << " has type " << result
             << ", expected a tuple of " << tuple.size() << " elements";
    for (auto [i, pair] :
         llvm::enumerate(llvm::zip(tuple.getTypes(), resultTuple.getTypes()))) {
      path.push_back(i);
      if (failed(verifyRegroupLeaves(op, std::get<0>(pair), std::get<1>(pair),
                                     path)))
        return failure();
      path.pop_back();
    }
    return success();
  }
  Type wrapped = op.getMirrored()
                     ? Type(MirroredType::get(op.getContext(), n, local))
                     : Type(PerReplicaType::get(op.getContext(), n, local));
  if (result == wrapped)
    return success();
  if (result != local)
    return op.emitOpError()
           << formatPath(path) << " has type " << result << ", expected "
           << wrapped;
  if (op.getAlwaysWrap())
    return op.emitOpError()
           << formatPath(path) << " must be wrapped as " << wrapped
           << " with always_wrap";
  if (!leavesProvablySame(op.getInputs(), path))
    return op.emitOpError()
           << formatPath(path) << " of type " << local
           << " is not provably the same value on every replica; it must be "
              "wrapped as "
           << wrapped;
  return success();
}

LogicalResult RegroupOp::verify() {
  if (getInputs().empty())
    return emitOpError("requires at least one operand");
  Type local = getInputs().front().getType();
  for (auto [i, type] : llvm::enumerate(getInputs().getTypes()))
    if (type != local)
      return emitOpError("operand #")
             << i << " has type " << type << ", expected " << local;
  if (containsDistributedType(local))
    return emitOpError("operands must be replica-local, got distributed type ")
           << local;
  Type result = getResult().getType();
  if (getInputs().size() == 1 && !getAlwaysWrap()) {
    if (result != local)
      return emitOpError("with one operand and no always_wrap the result "
                         "type must be the operand type ")
             << local << ", got " << result;
    return success();
  }
  SmallVector<int64_t> path;
  return verifyRegroupLeaves(*this, local, result, path);
}

OpFoldResult RegroupOp::fold(FoldAdaptor) {
  // Nothing wrapped: every leaf is replica 0's (N = 1 or the same value).
  if (getResult().getType() == getInputs().front().getType())
    return getInputs().front();
  // regroup(select_replica(x)[0], ..., select_replica(x)[N-1]) -> x
  Value source;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto select = input.getDefiningOp<SelectReplicaOp>();
    if (!select || !select.getStaticIndex() ||
        *select.getStaticIndex() != i)
      return {};
    if (i == 0)
      source = select.getInput();
    else if (select.getInput() != source)
      return {};
  }
  if (source.getType() != getResult().getType())
    return {};
  return source;
}

//===----------------------------------------------------------------------===//
// SelectReplicaOp
//===----------------------------------------------------------------------===//

/// Collects the replica counts of the distributed leaves of `type`.
static void collectReplicaCounts(Type type, SmallVectorImpl<int64_t> &counts) {
  if (auto tuple = dyn_cast<TupleType>(type)) {
    for (Type element : tuple.getTypes())
      collectReplicaCounts(element, counts);
    return;
  }
  if (auto distributed = dyn_cast<DistributedType>(type))
    counts.push_back(distributed.getNumReplicas());
}

/// The one replica count shared by the distributed leaves of `type`; 0 when
/// there are none; failure (with a diagnostic) when they disagree.
static FailureOr<int64_t> getCommonReplicaCount(Operation *op, Type type,
                                                StringRef what) {
  SmallVector<int64_t> counts;
  collectReplicaCounts(type, counts);
  if (counts.empty())
    return 0;
  for (int64_t count : counts)
    if (count != counts.front())
      return op->emitOpError()
             << what << " mixes replica counts " << counts.front() << " and "
             << count;
  return counts.front();
}

LogicalResult SelectReplicaOp::verify() {
  if (static_cast<bool>(getIndex()) == getStaticIndex().has_value())
    return emitOpError("requires exactly one of a dynamic or a static index");
  FailureOr<int64_t> n =
      getCommonReplicaCount(*this, getInput().getType(), "operand type");
  if (failed(n))
    return failure();
  if (std::optional<int64_t> index = getStaticIndex()) {
    // Without distributed leaves every index selects the operand itself.
    if (*n > 0 && (*index < 0 || *index >= *n))
      return emitOpError("index ")
             << *index << " is out of range [0, " << *n << ")";
    if (*index < 0)
      return emitOpError("index ") << *index << " must be non-negative";
  }
  Type expected = getLocalStructureType(getInput().getType());
  if (getResult().getType() != expected)
    return emitOpError("result type ")
           << getResult().getType() << " does not match the selected type "
           << expected;
  return success();
}

OpFoldResult SelectReplicaOp::fold(FoldAdaptor) {
  if (!containsDistributedType(getInput().getType()))
    return getInput();
  auto regroup = getInput().getDefiningOp<RegroupOp>();
  if (!regroup)
    return {};
  if (std::optional<int64_t> index = getStaticIndex())
    return regroup.getInputs()[*index];
  if (llvm::all_equal(regroup.getInputs()))
    return regroup.getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// ReplicateOp / YieldOp / ReplicaIdOp
//===----------------------------------------------------------------------===//

YieldOp ReplicateOp::getYield() {
  return cast<YieldOp>(getBody().front().getTerminator());
}

ParseResult ReplicateOp::parse(OpAsmParser &parser, OperationState &result) {
  int64_t numReplicas;
  if (parser.parseLess() || parser.parseInteger(numReplicas) ||
      parser.parseGreater())
    return failure();
  result.addAttribute(getNumReplicasAttrName(result.name),
                      parser.getBuilder().getI64IntegerAttr(numReplicas));

  SmallVector<OpAsmParser::Argument> arguments;
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  FunctionType type;
  SMLoc operandsLoc = parser.getCurrentLocation();
  if (parser.parseAssignmentList(arguments, operands) || parser.parseColon() ||
      parser.parseType(type) ||
      parser.resolveOperands(operands, type.getInputs(), operandsLoc,
                             result.operands))
    return failure();
  for (auto [argument, operandType] :
       llvm::zip_equal(arguments, type.getInputs()))
    argument.type = getLocalStructureType(operandType);
  result.addTypes(type.getResults());

  Region *body = result.addRegion();
  if (parser.parseRegion(*body, arguments))
    return failure();
  ReplicateOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return parser.parseOptionalAttrDictWithKeyword(result.attributes);
}

void ReplicateOp::print(OpAsmPrinter &printer) {
  printer << "<" << getNumReplicas() << "> (";
  llvm::interleaveComma(
      llvm::zip(getBody().getArguments(), getInputs()), printer,
      [&](auto pair) {
        printer << std::get<0>(pair) << " = " << std::get<1>(pair);
      });
  printer << ") : ";
  printer.printFunctionalType(TypeRange(getInputs().getTypes()),
                              TypeRange(getResults().getTypes()));
  printer << " ";
  printer.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                      /*printBlockTerminators=*/!getResults().empty());
  printer.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                           {getNumReplicasAttrName()});
}

/// `type` with every leaf `L` replaced by `per_replica<N x L>`.
static Type getReplicatedType(Type type, int64_t n) {
  if (auto tuple = dyn_cast<TupleType>(type)) {
    SmallVector<Type> elements;
    for (Type element : tuple.getTypes())
      elements.push_back(getReplicatedType(element, n));
    return TupleType::get(type.getContext(), elements);
  }
  return PerReplicaType::get(type.getContext(), n, type);
}

LogicalResult ReplicateOp::verify() {
  int64_t n = getNumReplicas();
  if (n < 1)
    return emitOpError("number of replicas must be at least 1, got ") << n;
  if (auto outer = (*this)->getParentOfType<ReplicateOp>()) {
    InFlightDiagnostic diag =
        emitOpError("cannot be nested in another replica.replicate body");
    diag.attachNote(outer.getLoc()) << "enclosing replicate is here";
    return diag;
  }
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << body.getNumArguments() << " arguments, expected "
           << getInputs().size();
  for (auto [i, input, argument] :
       llvm::enumerate(getInputs(), body.getArguments())) {
    FailureOr<int64_t> count =
        getCommonReplicaCount(*this, input.getType(), "operand type");
    if (failed(count))
      return failure();
    if (*count != 0 && *count != n)
      return emitOpError("operand #")
             << i << " has " << *count << " replicas, expected " << n;
    Type expected = getLocalStructureType(input.getType());
    if (argument.getType() != expected)
      return emitOpError("body argument #")
             << i << " has type " << argument.getType() << ", expected "
             << expected;
  }
  return success();
}

LogicalResult ReplicateOp::verifyRegions() {
  YieldOp yield = getYield();
  if (yield.getValues().size() != getResults().size())
    return emitOpError("has ")
           << getResults().size() << " results, but its body yields "
           << yield.getValues().size();
  for (auto [i, value, result] :
       llvm::enumerate(yield.getValues(), getResults())) {
    if (containsDistributedType(value.getType()))
      return yield.emitOpError("operand #")
             << i << " must be replica-local, got " << value.getType();
    Type expected = getReplicatedType(value.getType(), getNumReplicas());
    if (result.getType() != expected)
      return emitOpError("result #")
             << i << " has type " << result.getType() << ", expected "
             << expected << " for yielded " << value.getType();
  }
  return verifyNoDivergentCollectives(*this);
}

LogicalResult ReplicaIdOp::verify() {
  if (!getInReplicaContext(*this))
    return emitOpError("is only valid inside a replica.replicate body");
  return success();
}

//===----------------------------------------------------------------------===//
// AllReduceOp
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  inferred.push_back(getReducedType(adaptor.getInput().getType()));
  return success();
}

LogicalResult AllReduceOp::verify() {
  if (failed(verifyCollectiveForm(*this, getInput().getType())))
    return failure();
  return verifyReductionOperand(*this, getKind(), getInput().getType(), 0);
}

/// Folds a reduction whose result is its operand: a group of one replica, or
/// a mirrored operand under an idempotent kind.
static bool reducesToOperand(Operation *op, ReductionKind kind, Type input) {
  if (getNumReplicasOfForm(op, input) == 1 &&
      (isa<MirroredType>(input) || !isa<DistributedType>(input)))
    return true;
  return isa<MirroredType>(input) &&
         (kind == ReductionKind::Mean || kind == ReductionKind::Max ||
          kind == ReductionKind::Min);
}

OpFoldResult AllReduceOp::fold(FoldAdaptor) {
  if (reducesToOperand(*this, getKind(), getInput().getType()))
    return getInput();
  return {};
}

namespace {
/// Cross-replica collective over `per_replica<1 x T>`: the one component,
/// rewrapped as `mirrored<1 x T>`.
template <typename OpTy>
struct RewrapSingleReplica : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto input = dyn_cast<PerReplicaType>(op.getInput().getType());
    if (!input || input.getNumReplicas() != 1)
      return rewriter.notifyMatchFailure(op, "not a per_replica<1 x T>");
    Value component =
        UnpackOp::create(rewriter, op.getLoc(), op.getInput()).getComponents()
            .front();
    rewriter.replaceOp(op, buildMirrored(rewriter, op.getLoc(), component, 1));
    return success();
  }
};

/// `all_reduce sum` of `mirrored<N x T>`: N times the operand.
struct SumOfMirrored : OpRewritePattern<AllReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AllReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto input = dyn_cast<MirroredType>(op.getInput().getType());
    if (!input || op.getKind() != ReductionKind::Sum ||
        input.getNumReplicas() == 1)
      return rewriter.notifyMatchFailure(op, "not a sum of a mirrored value");
    Type local = input.getElementType();
    auto tensor = dyn_cast<RankedTensorType>(local);
    if (tensor && !tensor.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Type scalar = getReducibleScalarType(local);
    TypedAttr factor;
    if (isa<FloatType>(scalar))
      factor = rewriter.getFloatAttr(scalar, input.getNumReplicas());
    else
      factor = rewriter.getIntegerAttr(scalar, input.getNumReplicas());
    if (tensor)
      factor = SplatElementsAttr::get(tensor, factor);
    Location loc = op.getLoc();
    Value component = getMirroredComponent(rewriter, loc, op.getInput());
    Value scale = arith::ConstantOp::create(rewriter, loc, factor);
    Value scaled =
        isa<FloatType>(scalar)
            ? arith::MulFOp::create(rewriter, loc, component, scale).getResult()
            : arith::MulIOp::create(rewriter, loc, component, scale)
                  .getResult();
    rewriter.replaceOp(op, buildMirrored(rewriter, loc, scaled,
                                         input.getNumReplicas()));
    return success();
  }
};
} // namespace

void AllReduceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<RewrapSingleReplica<AllReduceOp>, SumOfMirrored>(context);
}

//===----------------------------------------------------------------------===//
// BatchAllReduceOp
//===----------------------------------------------------------------------===//

LogicalResult
BatchAllReduceOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  for (Type type : adaptor.getInputs().getTypes())
    inferred.push_back(getReducedType(type));
  return success();
}

/// The rules of a batch of reductions (batch_all_reduce, all_reduce_start):
/// at least one operand, one form, one replica count.
static LogicalResult verifyBatchReduction(Operation *op, ReductionKind kind,
                                          ValueRange inputs) {
  if (inputs.empty())
    return op->emitOpError("requires at least one operand");
  Type first = inputs.front().getType();
  FailureOr<int64_t> n = verifyCollectiveForm(op, first);
  if (failed(n))
    return failure();
  for (auto [i, type] : llvm::enumerate(inputs.getTypes())) {
    if (isa<DistributedType>(type) != isa<DistributedType>(first))
      return op->emitOpError("operand #")
             << i << " of type " << type
             << " mixes the cross-replica and in-replica forms";
    if (auto distributed = dyn_cast<DistributedType>(type);
        distributed && distributed.getNumReplicas() != *n)
      return op->emitOpError("operand #")
             << i << " has " << distributed.getNumReplicas()
             << " replicas, expected " << *n;
    if (failed(verifyReductionOperand(op, kind, type, i)))
      return failure();
  }
  return success();
}

LogicalResult BatchAllReduceOp::verify() {
  return verifyBatchReduction(*this, getKind(), getInputs());
}

LogicalResult BatchAllReduceOp::fold(FoldAdaptor,
                                     SmallVectorImpl<OpFoldResult> &results) {
  if (!llvm::all_of(getInputs().getTypes(), [&](Type type) {
        return reducesToOperand(*this, getKind(), type);
      }))
    return failure();
  llvm::append_range(results, getInputs());
  return success();
}

namespace {
/// Cross-replica batch over `per_replica<1 x T>` values: each component,
/// rewrapped as `mirrored<1 x T>`.
struct RewrapSingleReplicaBatch : OpRewritePattern<BatchAllReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchAllReduceOp op,
                                PatternRewriter &rewriter) const override {
    if (!llvm::all_of(op.getInputs().getTypes(), [](Type type) {
          auto perReplica = dyn_cast<PerReplicaType>(type);
          return perReplica && perReplica.getNumReplicas() == 1;
        }))
      return rewriter.notifyMatchFailure(op, "not all per_replica<1 x T>");
    SmallVector<Value> results;
    for (Value input : op.getInputs()) {
      Value component = UnpackOp::create(rewriter, op.getLoc(), input)
                            .getComponents()
                            .front();
      results.push_back(buildMirrored(rewriter, op.getLoc(), component, 1));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};
} // namespace

void BatchAllReduceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                   MLIRContext *context) {
  patterns.add<RewrapSingleReplicaBatch>(context);
}

//===----------------------------------------------------------------------===//
// AllReduceStartOp / AllReduceDoneOp
//===----------------------------------------------------------------------===//

LogicalResult
AllReduceStartOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location>, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> results;
  for (Type type : adaptor.getInputs().getTypes())
    results.push_back(getReducedType(type));
  inferred.push_back(FutureType::get(context, results));
  return success();
}

LogicalResult AllReduceStartOp::verify() {
  if (failed(verifyBatchReduction(*this, getKind(), getInputs())))
    return failure();
  Value future = getFuture();
  if (!future.hasOneUse())
    return emitOpError("must be completed by exactly one "
                       "'replica.all_reduce_done', found ")
           << std::distance(future.use_begin(), future.use_end())
           << " uses of its future";
  Operation *user = *future.user_begin();
  if (!isa<AllReduceDoneOp>(user) || user->getBlock() != (*this)->getBlock())
    return emitOpError("must be completed by a 'replica.all_reduce_done' in "
                       "its own block, not by ")
           << user->getName();
  return success();
}

AllReduceDoneOp AllReduceStartOp::getDone() {
  return cast<AllReduceDoneOp>(*getFuture().user_begin());
}

LogicalResult
AllReduceDoneOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  llvm::append_range(
      inferred, cast<FutureType>(adaptor.getFuture().getType()).getResultTypes());
  return success();
}

AllReduceStartOp AllReduceDoneOp::getStart() {
  return getFuture().getDefiningOp<AllReduceStartOp>();
}

LogicalResult AllReduceDoneOp::verify() {
  if (!getStart())
    return emitOpError("future must come from a 'replica.all_reduce_start'");
  return success();
}

namespace {
/// A collective whose results nobody uses need not run: the pair goes.
struct EraseUnusedAllReduce : OpRewritePattern<AllReduceDoneOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AllReduceDoneOp op,
                                PatternRewriter &rewriter) const override {
    AllReduceStartOp start = op.getStart();
    if (!start || !op->use_empty())
      return rewriter.notifyMatchFailure(op, "results used");
    rewriter.eraseOp(op);
    rewriter.eraseOp(start);
    return success();
  }
};
} // namespace

void AllReduceDoneOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                  MLIRContext *context) {
  patterns.add<EraseUnusedAllReduce>(context);
}

void mlir::replica::replaceByBlockingCollective(AllReduceStartOp start) {
  OpBuilder builder(start);
  AllReduceDoneOp done = start.getDone();
  SmallVector<Value> results;
  if (start.getInputs().size() == 1)
    results.push_back(AllReduceOp::create(builder, start.getLoc(),
                                          start.getKindAttr(),
                                          start.getInputs().front()));
  else
    llvm::append_range(results,
                       BatchAllReduceOp::create(builder, start.getLoc(),
                                                start.getKindAttr(),
                                                start.getInputs())
                           .getResults());
  done.replaceAllUsesWith(results);
  done.erase();
  start.erase();
}

void mlir::replica::replaceAsyncByBlockingCollectives(Operation *root) {
  SmallVector<AllReduceStartOp> starts;
  root->walk([&](AllReduceStartOp start) { starts.push_back(start); });
  for (AllReduceStartOp start : starts)
    replaceByBlockingCollective(start);
}

//===----------------------------------------------------------------------===//
// ReduceToOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceToOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  inferred.push_back(getLocalType(adaptor.getInput().getType()));
  return success();
}

LogicalResult ReduceToOp::verify() {
  FailureOr<int64_t> n = verifyCollectiveForm(*this, getInput().getType());
  if (failed(n))
    return failure();
  int64_t destination = getDestination();
  if (destination < 0 || destination >= *n)
    return emitOpError("destination ")
           << destination << " is out of range [0, " << *n << ")";
  return verifyReductionOperand(*this, getKind(), getInput().getType(), 0);
}

//===----------------------------------------------------------------------===//
// BroadcastOp
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  Type input = getInput().getType();
  Type result = getResult().getType();
  FailureOr<int64_t> n = verifyCollectiveForm(*this, result);
  if (failed(n))
    return failure();
  if (containsDistributedType(input))
    return emitOpError("operand must be replica-local, got ") << input;
  if (!getReducibleScalarType(input))
    return emitOpError("operand must be an integer or float scalar or a "
                       "ranked tensor of one, got ")
           << input;
  if (isa<DistributedType>(result)) {
    auto mirrored = dyn_cast<MirroredType>(result);
    if (!mirrored || mirrored.getElementType() != input)
      return emitOpError("result type ")
             << result << " must be "
             << MirroredType::get(getContext(), *n, input);
    if (getRoot())
      return emitOpError("cross-replica form takes no 'from' replica");
    return success();
  }
  if (result != input)
    return emitOpError("result type ")
           << result << " must match the operand type " << input;
  if (!getRoot())
    return emitOpError("in-replica form requires a 'from' replica");
  int64_t root = *getRoot();
  if (root < 0 || root >= *n)
    return emitOpError("source replica ")
           << root << " is out of range [0, " << *n << ")";
  return success();
}

OpFoldResult BroadcastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType() &&
      getNumReplicasOfForm(*this, getInput().getType()) == 1)
    return getInput();
  return {};
}

namespace {
/// Cross-replica broadcast to one replica: wrap the value.
struct BroadcastToSingleReplica : OpRewritePattern<BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto result = dyn_cast<MirroredType>(op.getResult().getType());
    if (!result || result.getNumReplicas() != 1)
      return rewriter.notifyMatchFailure(op, "not a broadcast to one replica");
    rewriter.replaceOp(op,
                       buildMirrored(rewriter, op.getLoc(), op.getInput(), 1));
    return success();
  }
};
} // namespace

void BroadcastOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<BroadcastToSingleReplica>(context);
}

//===----------------------------------------------------------------------===//
// AllGatherOp
//===----------------------------------------------------------------------===//

LogicalResult AllGatherOp::verify() {
  Type inputType = getInput().getType();
  Type resultType = getResult().getType();
  FailureOr<int64_t> n = verifyCollectiveForm(*this, inputType);
  if (failed(n))
    return failure();
  if (isa<DistributedType>(inputType)) {
    auto mirrored = dyn_cast<MirroredType>(resultType);
    if (!mirrored || mirrored.getNumReplicas() != *n)
      return emitOpError("result type ")
             << resultType << " must be a !replica.mirrored of " << *n
             << " replicas";
    resultType = mirrored.getElementType();
  } else if (isa<DistributedType>(resultType)) {
    return emitOpError("result type ")
           << resultType << " must be local in the in-replica form";
  }
  auto input = dyn_cast<RankedTensorType>(getLocalType(inputType));
  auto result = dyn_cast<RankedTensorType>(resultType);
  if (!input || input.getRank() == 0 || !getReducibleScalarType(input))
    return emitOpError("operand must be a ranked tensor of rank >= 1 of "
                       "integer or float type, got ")
           << getLocalType(inputType);
  if (!result || result.getElementType() != input.getElementType() ||
      result.getRank() != input.getRank())
    return emitOpError("result type ")
           << resultType << " must be a tensor of rank " << input.getRank()
           << " with element type " << input.getElementType();
  int64_t dim = getDim();
  if (dim < 0 || dim >= input.getRank())
    return emitOpError("dimension ")
           << dim << " is out of range [0, " << input.getRank() << ")";
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t size = input.getDimSize(d);
    int64_t expected = size;
    if (d == dim && !ShapedType::isDynamic(size) &&
        llvm::MulOverflow(size, *n, expected))
      return emitOpError("gathered dimension ")
             << d << " of size " << size << " x " << *n
             << " replicas overflows int64";
    if (result.getDimSize(d) == expected)
      continue;
    InFlightDiagnostic diag = emitOpError("result dimension ") << d << " is ";
    if (ShapedType::isDynamic(result.getDimSize(d)))
      diag << "dynamic";
    else
      diag << result.getDimSize(d);
    diag << ", expected ";
    if (ShapedType::isDynamic(expected))
      diag << "dynamic";
    else
      diag << expected;
    if (d == dim && !ShapedType::isDynamic(size))
      diag << " (" << *n << " x " << size << ")";
    return diag;
  }
  return success();
}

OpFoldResult AllGatherOp::fold(FoldAdaptor) {
  Type input = getInput().getType();
  if (input == getResult().getType() &&
      getNumReplicasOfForm(*this, input) == 1)
    return getInput();
  return {};
}

void AllGatherOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<RewrapSingleReplica<AllGatherOp>>(context);
}
