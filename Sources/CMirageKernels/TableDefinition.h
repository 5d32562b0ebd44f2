// Defines the table of the instruction set MIRAGE_ISA, after KernelBodies.h.

const MirageKernelTable MIRAGE_CONCAT(mirage_kernels, MIRAGE_ISA) = {
    .unary = KERNEL(mirage_unary),
    .binary = KERNEL(mirage_binary),
    .select = KERNEL(mirage_select),
    .reduce = KERNEL(mirage_reduce),
    .reduce_elementwise = KERNEL(mirage_reduce_elementwise),
    .sum_double = KERNEL(mirage_sum_double),
    .axpy = KERNEL(mirage_axpy),
    .dot = KERNEL(mirage_dot),
    .accumulate_channels = KERNEL(mirage_accumulate_channels),
    .scale_shift_activate = KERNEL(mirage_scale_shift_activate),
    .activation_gradient = KERNEL(mirage_activation_gradient),
};
