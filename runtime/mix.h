/* Mixed cube/vector kernels (runtime/mix.c): a block of a module holding
 * one cube and one vector kernel runs the cube half and its vector
 * sub-blocks as coroutines under a fixed schedule, exchanging tiles
 * through the frontend pipe ops. Internal to runtime/. */
#ifndef PTK_RUNTIME_MIX_H
#define PTK_RUNTIME_MIX_H

#include "runtime/cells.h"
#include "runtime/isa/isa.h"
#include "lang/ir/ir.h"

typedef struct ptk_rt_prog ptk_rt_prog;
typedef struct ptk_rt_worker ptk_rt_worker;
typedef struct ptk_rt_mix ptk_rt_mix;

/* Marks p mixed when its entry is one half of a mixed kernel (backend/lower.h
 * ptk_lower_mixed_peer): the engine then prepares the peer as function 1. */
void ptk_rt_mix_prog_init(ptk_rt_prog *p);
/* Runs block w->block of a mixed kernel; w (reset, running the cube half)
 * reports the block's error. The run_block contract. */
int ptk_rt_mix_block(ptk_rt_worker *w);
/* Frees what w keeps for mixed blocks (its vector cores, stacks). */
void ptk_rt_mix_free(ptk_rt_worker *w);

/* The frontend pipe ops (backend/lower.h ptk_lower_is_pipe): sres the i32
 * result of the buffer ops, tres the popped tile, tin the pushed one or
 * set_quant_vector's, s0 / s1 the initialize op's c2v / v2c consumer
 * buffers or set_quant_scalar's scale, vres / vin a global entry's view
 * (talloc's and tpop's result; tpush's and tfree's operand, the initialize
 * op's gm_slot_tensor) (NULL when absent). 0, -1 (error recorded), -2 (the
 * block was abandoned while this op waited). */
int ptk_rt_pipe(ptk_rt_worker *w, const ptk_op *op, ptk_rt_sc *sres, ptk_tile *tres, const ptk_tile *tin,
                const ptk_rt_sc *s0, const ptk_rt_sc *s1, ptk_rt_view *vres, const ptk_rt_view *vin);

#endif
