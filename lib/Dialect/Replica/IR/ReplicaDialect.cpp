//===- ReplicaDialect.cpp - replica dialect and types -----------*- C++ -*-===//

#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/IR/ReplicaTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::replica;

#include "replica/Dialect/Replica/IR/ReplicaDialect.cpp.inc"
#include "replica/Dialect/Replica/IR/ReplicaEnums.cpp.inc"
#include "replica/Dialect/Replica/IR/ReplicaTypeInterfaces.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaAttrs.cpp.inc"

void ReplicaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "replica/Dialect/Replica/IR/ReplicaOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "replica/Dialect/Replica/IR/ReplicaTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "replica/Dialect/Replica/IR/ReplicaAttrs.cpp.inc"
      >();
}

LogicalResult ReplicaDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() == getNoFusionAttrName()) {
    if (!isa<AllReduceOp, BatchAllReduceOp>(op))
      return op->emitError("'")
             << attr.getName().getValue()
             << "' belongs on a replica.all_reduce or "
                "replica.batch_all_reduce, not on '"
             << op->getName() << "'";
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitError("'") << attr.getName().getValue()
                                << "' must be a unit attribute, got "
                                << attr.getValue();
    return success();
  }
  if (attr.getName() != getNumReplicasAttrName() &&
      attr.getName() != getMPIWindowBytesAttrName() &&
      attr.getName() != getMPISharedWindowBytesAttrName())
    return op->emitError("unknown replica attribute ")
           << attr.getName().getValue();
  auto count = dyn_cast<IntegerAttr>(attr.getValue());
  if (!isa<ModuleOp>(op) || !count || count.getInt() < 1)
    return op->emitError("'")
           << attr.getName().getValue()
           << "' must be a positive integer on a module, got "
           << attr.getValue();
  return success();
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

static LogicalResult
verifyDistributedType(function_ref<InFlightDiagnostic()> emitError,
                      int64_t numReplicas, Type elementType) {
  if (numReplicas < 1)
    return emitError() << "number of replicas must be at least 1, got "
                       << numReplicas;
  if (!elementType)
    return emitError() << "missing element type";
  if (isa<DistributedType>(elementType))
    return emitError() << "element type must not be distributed, got "
                       << elementType;
  if (isa<TupleType>(elementType))
    return emitError() << "element type must be a leaf, got tuple "
                       << elementType << "; distribute its leaves instead";
  return success();
}

LogicalResult
PerReplicaType::verify(function_ref<InFlightDiagnostic()> emitError,
                       int64_t numReplicas, Type elementType) {
  return verifyDistributedType(emitError, numReplicas, elementType);
}

LogicalResult MirroredType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t numReplicas, Type elementType) {
  return verifyDistributedType(emitError, numReplicas, elementType);
}

bool mlir::replica::containsDistributedType(Type type) {
  if (auto tuple = dyn_cast<TupleType>(type))
    return llvm::any_of(tuple.getTypes(), containsDistributedType);
  if (auto future = dyn_cast<FutureType>(type))
    return llvm::any_of(future.getResultTypes(), containsDistributedType);
  return isa<DistributedType>(type);
}

Type mlir::replica::getLocalType(Type type) {
  if (auto distributed = dyn_cast<DistributedType>(type))
    return distributed.getElementType();
  return type;
}

Type mlir::replica::getLocalStructureType(Type type) {
  if (auto future = dyn_cast<FutureType>(type)) {
    SmallVector<Type> results;
    for (Type result : future.getResultTypes())
      results.push_back(getLocalStructureType(result));
    return FutureType::get(type.getContext(), results);
  }
  auto tuple = dyn_cast<TupleType>(type);
  if (!tuple)
    return getLocalType(type);
  SmallVector<Type> elements;
  for (Type element : tuple.getTypes())
    elements.push_back(getLocalStructureType(element));
  return TupleType::get(type.getContext(), elements);
}
