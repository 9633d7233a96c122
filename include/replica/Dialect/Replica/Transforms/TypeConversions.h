//===- TypeConversions.h - 1:N conversions of replica values ----*- C++ -*-===//
//
// Shared by the passes that change how replica values are represented:
// structures to leaves (decompose-structures) and distributed values to one
// SSA value per replica (unroll, convert-replica-to-linalg).
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_DIALECT_REPLICA_TRANSFORMS_TYPECONVERSIONS_H
#define REPLICA_DIALECT_REPLICA_TRANSFORMS_TYPECONVERSIONS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {

/// Patterns carrying a 1:N type conversion through func.func (signature and
/// every block), func.call, func.return, scf structural ops and branches,
/// and the matching legality: ops are legal when their types, regions and
/// signatures are.
void populateStructuralConversionPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns,
                                          ConversionTarget &target);

/// Sets up the conversion of every distributed value to N values, one per
/// replica: `per_replica<N x T>` and `mirrored<N x T>` become N values of
/// type T through the structural patterns, and regroup, unpack and
/// select_replica are taken apart. Values that must stay distributed
/// (operands and results of ops left legal) are rebuilt with
/// `replica.regroup` and taken apart with `replica.unpack`.
void populateReplicaLaneConversion(TypeConverter &converter,
                                   RewritePatternSet &patterns,
                                   ConversionTarget &target);

/// Removes the identity `unrealized_conversion_cast`s that the lane
/// conversion puts on regroup operands; run after the conversion.
void eraseIdentityCasts(Operation *root);

/// `values[index]` for a dynamic `index`: a chain of selects, or an
/// `scf.index_switch` for dynamically shaped values (their sizes may differ,
/// which elementwise selects cannot express). Out of range gives
/// `values[0]`.
Value selectByIndex(OpBuilder &builder, Location loc, Value index,
                    ValueRange values);

} // namespace mlir::replica

#endif // REPLICA_DIALECT_REPLICA_TRANSFORMS_TYPECONVERSIONS_H
