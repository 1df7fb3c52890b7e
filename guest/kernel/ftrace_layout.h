/* Generated from bindings/ftrace/layout.ts by renderHeader(): do not edit. */
#ifndef FTRACE_LAYOUT_H
#define FTRACE_LAYOUT_H

#define FTRACE_CTL_MAGIC 0x43525446u
#define FTRACE_CTL_VERSION 1u

#define CTL_MAGIC 0
#define CTL_VERSION 4
#define CTL_OPS_LIST 8
#define CTL_REC_HASH 16
#define CTL_CPU_BASE 24
#define CTL_CPU_STRIDE 32
#define CTL_NRECORDS 36
#define CTL_RETURN_TO_HANDLER 40
#define CTL_NCPUS 48
#define CTL_RET_DEPTH 52
#define CTL_PATCH_QUEUE 56
#define CTL_SIZE 64

#define FCPU_HEAD 0
#define FCPU_TAIL 8
#define FCPU_LOST 16
#define FCPU_MISSED 24
#define FCPU_EVENTS 32
#define FCPU_MASK 40
#define FCPU_RECURSION 44
#define FCPU_PROFILE 48
#define FCPU_CALLS 56
#define FCPU_OVERRUN 64
#define FCPU_SIZE 128

#define RECURSION_LIST 1
#define RECURSION_FUNC 2
#define RECURSION_GRAPH 4
#define RECURSION_OTHER 8

#define EVENT_TS 0
#define EVENT_IP 8
#define EVENT_ARG 16
#define EVENT_PID 24
#define EVENT_TYPE 28
#define EVENT_DEPTH 30
#define EVENT_SIZE 32

#define EV_FUNCTION 1
#define EV_GRAPH_ENTRY 2
#define EV_GRAPH_EXIT 3

#define PROF_HITS 0
#define PROF_TOTAL_TICKS 8
#define PROF_SUM_SQ_LO 16
#define PROF_SUM_SQ_HI 24
#define PROF_SIZE 32

#define HASH_COUNT 0
#define HASH_MASK 4
#define HASH_SHIFT 8
#define HASH_SLOTS 16
#define HASH_SLOT_SIZE 16
#define HASH_MULT 0x9e3779b97f4a7c15ul

#define OPS_FUNC 0
#define OPS_NEXT 8
#define OPS_FILTER 16
#define OPS_NOTRACE 24
#define OPS_FLAGS 32
#define OPS_ID 36
#define OPS_PRIVATE 40
#define OPS_SIZE 64

#define OPS_FL_ENABLED 1
#define OPS_FL_SAVE_REGS 2

#define PATCHQ_HEAD 0
#define PATCHQ_DONE 8
#define PATCHQ_MASK 16
#define PATCHQ_FLAGS 20
#define PATCHQ_REFUSED 24
#define PATCHQ_BATCHES 32
#define PATCHQ_TICKS 40
#define PATCHQ_GPS 48
#define PATCHQ_REQS 64
#define PATCHQ_SIZE 64

#define PATCHQ_FL_SKIP_IC_IVAU 1
#define PATCHQ_FL_NO_KICK 2

#define PREQ_ADDR 0
#define PREQ_OLD 8
#define PREQ_NEW 12
#define PREQ_RESULT 16
#define PREQ_CPU 20
#define PREQ_SEQ 24
#define PREQ_OP 28
#define PREQ_SIZE 32

#define PREQ_OP_PATCH 0
#define PREQ_OP_GRACE_PERIOD 1

#define FGRAPH_KIND 0
#define FGRAPH_GRAPH_HASH 8
#define FGRAPH_SIZE 32

#define FGRAPH_KIND_TRACE 1
#define FGRAPH_KIND_PROFILE 2
#define RET_STACK_MAX 50

#define REGS_X 0
#define REGS_SP 248
#define REGS_PC 256
#define REGS_PSTATE 264
#define REGS_SIZE 272

#endif
