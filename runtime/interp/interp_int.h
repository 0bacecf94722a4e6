/* Private to runtime/interp: the compiled form of a function and the
 * execution state of one worker thread.
 *
 * Every SSA value of a compiled function owns a slot at a fixed byte offset
 * of its function's frame; the cell stored there depends on the value's
 * type: a scalar (8 bytes), a pointer (ptr_cell), a tensor or partition view
 * (view_cell) or a tile (ptk_tile, the runtime/isa descriptor). Instructions
 * name their operands by frame offset. */
#ifndef PTK_RUNTIME_INTERP_INT_H
#define PTK_RUNTIME_INTERP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "runtime/interp/interp.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/vreg.h"
#include "backend/fuse.h"
#include "backend/lower.h"
#include "runtime/launch.h"


/* The cells are the ones both engines share (runtime/launch.h). */
typedef ptk_rt_sc scell;
typedef ptk_rt_ptr ptr_cell;
typedef ptk_rt_view view_cell;
#define VIEW_MAX_RANK PTK_RT_VIEW_MAX_RANK

/* Internal opcodes. */
enum {
  I_NOP,
  I_JMP,       /* a0 target */
  I_JMPF,      /* a0 cond, a1 target: jump when cond == 0 */
  I_MOV,       /* a0 dst, a1 src, imm bytes */
  I_FOR_INIT,  /* a0 iv, a1 lb, a2 ub, a3 step, a4 exit target; imm iv width */
  I_FOR_NEXT,  /* a0 iv, a1 ub, a2 step, a3 body target; imm iv width */
  I_CALL,      /* aux fn index; a[0..nargs) args, a[nargs..) results */
  I_RET,       /* a[] return values */
  I_SELECT,    /* a0 dst, a1 cond, a2 x, a3 y; imm bytes */
  I_BLOCK,     /* sub 0 idx 1 num 2 subidx 3 subnum; a0 dst; imm width */
  I_MKVIEW,    /* a0 dst, a1 ptr, a[2..2+r) shape, a[2+r..2+2r) strides; imm rank; sub layout */
  I_PARTVIEW,  /* a0 dst, a1 src, a[2..2+r) offsets, a[2+r..) sizes; imm rank; sub esz */
  I_VIEWDIM,   /* sub 0 dim 1 stride; a0 dst, a1 view, a2 index */
  I_ADDPTR,    /* a0 dst, a1 ptr, a2 offset; imm element size */
  I_PTRTOINT,  /* a0 dst, a1 ptr; imm width */
  I_INTTOPTR,  /* a0 dst, a1 int; sub the pointer's space (ptk_space: GM decodes a buffer) */
  I_LDSC,      /* a0 dst, a1 ptr, a2 index; imm elem dtype (ptk_dtype); sub esz */
  I_STSC,      /* a0 value, a1 ptr, a2 index; imm elem dtype; sub esz */
  I_ALLOC,     /* a0 dst, a1 addr|NOSLOT, a2 vrow|NOSLOT, a3 vcol|NOSLOT; aux alloc_info */
  I_TASSIGN,   /* a0 dst, a1 src tile, a2 addr */
  I_SUBVIEW,   /* a0 dst, a1 src, a2 r, a3 c, a4 vr|NOSLOT, a5 vc|NOSLOT; aux tile template */
  I_RESHAPE,   /* a0 dst, a1 src; aux tile template (treshape) */
  I_BITCAST,   /* a0 dst, a1 src; sub isa dtype */
  I_SETVALID,  /* a0 tile, a1 vr, a2 vc */
  I_GETVALID,  /* a0 vr, a1 vc, a2 tile */
  I_TLOAD,     /* a0 tile, a1 view; sub view isa dtype */
  I_TSTORE,    /* a0 view, a1 tile; sub view isa dtype; flags 1 relu 2 atomic */
  I_LCALL,     /* sub ptk_call_shape; a[k] value k of the call record (NOSLOT: unused); aux call_x */
  I_TGETVAL,   /* a0 dst scalar, a1 tile, a2 offset; imm result dtype */
  I_TPRINT,    /* a0 tile */
  I_PIPE,      /* a frontend pipe op (runtime/mix.h): a0 i32 result, a1 popped tile, a2 pushed
                * tile, a3 a4 scalar operands, a5 view result, a6 view operand (NOSLOT: none) */
  I_PRINT,     /* a[] scalars */
  I_TRAP,
  I_FZ_STEP,   /* a fused group's op k (backend/fuse.h, fused.c): aux fz_prog, imm k; a0 pc when
                * the group stays fused, a1 pc when it falls back here (a replay of the pending
                * ops, then this op's own instructions, which follow this one) */
};

#define NOSLOT UINT32_MAX

/* The constants of an I_LCALL (a lowered call record, backend/lower.h). */
typedef struct call_x {
  int sub;
  int64_t attr[PTK_CALL_MAXA]; /* A0 … A7 */
  bool fl[PTK_CALL_MAXV];
  uint8_t w[PTK_CALL_MAXV];
  uint8_t dt[PTK_CALL_MAXV];
  uint8_t fmt[PTK_CALL_MAXV];
} call_x;

typedef struct insn {
  uint16_t op;
  uint16_t sub;
  uint32_t flags;
  int64_t imm;
  const uint32_t *a;
  uint32_t na;
  const ptk_op *ir; /* location, attributes */
  const void *aux;
} insn;

typedef ptk_rt_alloc_info alloc_info;

/* A fused group as the interpreter runs it (fused.c): the checks of each op,
 * in program order, and the loop over the valid region. Slots are frame
 * offsets; temporaries are step indices (the value a step loads or
 * computes). */
enum { FZ_LOAD, FZ_INPLACE, FZ_EW, FZ_STORE };
typedef struct fz_step {
  uint8_t kind;
  uint8_t vdt;          /* LOAD/STORE: the view's isa dtype */
  uint8_t nnew;         /* tiles first touched here */
  int8_t brow, bfirst;  /* expand ops: row broadcast; the broadcast operand is src0 */
  bool sfl;             /* tile-scalar: the scalar is a float */
  uint8_t form;         /* EW: ptk_isa_fz_form of the chunk kernel (a row broadcast is tile-scalar) */
  int8_t bc;            /* expand ops: 1 src0, 2 src1 is the broadcast operand */
  uint16_t shape;       /* EW: call shape */
  int16_t sub;
  uint32_t tile, view;  /* LOAD/INPLACE/STORE: the tile and the view; EW: tile = dst */
  uint32_t newt[3];
  uint32_t bslot;       /* expand ops: the broadcast tile */
  uint32_t sslot;       /* tile-scalar: the scalar */
  int16_t ta, tb;       /* EW: temporaries of the tile operands (-1: none); STORE: ta */
  int16_t wtile;        /* index into fz_prog.tile_slot written with this step's value, or -1 */
  int16_t gi;           /* LOAD: index of the transfer (STORE: nload) */
  const ptk_op *ir;
} fz_step;
typedef struct fz_prog {
  uint32_t nsteps, nload, ntiles;
  fz_step *steps;
  uint32_t *tile_slot; /* tiles written by the loop (write-through) */
} fz_prog;

typedef struct fn_code {
  const ptk_func *f;
  insn *code;
  uint32_t ncode;
  uint32_t frame_size;
  uint8_t *frame_init; /* [frame_size]: constants pre-stored, the rest zero */
  uint32_t nargs;
  uint32_t *arg_off;
  uint8_t *arg_kind;
  uint32_t *arg_size;
  uint32_t nresults;
  uint32_t *res_size;
} fn_code;

struct ptk_interp_prog {
  ptk_rt_prog rt; /* first: what the launcher needs (runtime/launch.h) */
  ptk_arena *arena;
  const ptk_module *top;
  fn_code *fns;
  uint32_t nfns;
  uint32_t max_frame;
};

/* ---- execution ---- */

/* The fused group being checked (fused.c): groups hold no calls, so one at a time. */
typedef struct fz_state {
  bool on, have_shape;
  int32_t vr, vc;
  uint32_t li;
  float *gp[PTK_FUSE_MAX + 1];
  int64_t gl[PTK_FUSE_MAX + 1];
  const void *sp[2 * PTK_FUSE_MAX]; /* storages of the tiles touched so far */
  int64_t sn[2 * PTK_FUSE_MAX];
  uint32_t ns;
} fz_state;

typedef struct worker {
  ptk_rt_worker b; /* first: the state every engine has (runtime/launch.h) */
  uint8_t *frames[PTK_RT_MAX_DEPTH];
  const insn *ret; /* the func.return that ended the last call */
  fz_state fz;
  float *fzbuf; /* fused groups: one chunk per step (fused.c), allocated on first use */
  size_t fzcap;
} worker;

/* I_FZ_STEP: 0 the group stays fused (after its last step: the loop ran),
 * 1 it falls back at this step, 2 it is not fused, -1 an error. */
int ptk_interp__fz_step(worker *w, uint8_t *fr, const insn *I);

extern const ptk_rt_engine ptk_interp__engine;

#define ptk_interp__kind_of ptk_lower_value_kind

#endif
