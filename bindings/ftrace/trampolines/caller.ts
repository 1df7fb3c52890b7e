// ftrace_caller, ftrace_regs_caller and return_to_handler, generated as A64
// into the kernel's trampoline room (ftrace_tramp_area, guest/kernel/ftrace_entry.S).
//
// A traced function calls a trampoline from its patchable entry:
//
//   fn+0  MOV X9, X30            x9 = the parent's return address
//   fn+4  BL  ftrace_caller      x30 = fn+8
//
// On entry x0..x8 hold the function's arguments, x9 its return address, x30
// the address to continue at, SP the function's SP. The trampoline builds a
// frame laid out as the first 272 bytes of the kernel's pt_regs (layout.ts
// REGS), calls ftrace_ops_list_func(ip, parent_ip, NULL, regs), restores the
// registers and continues at regs->pc with x30 = regs->regs[30], so that a
// callback may redirect the call (livepatch changes pc) or hook its return
// (function_graph puts return_to_handler in regs[30]).
//
//   frame (sp after the trampoline's SUB)     ftrace_caller   ftrace_regs_caller
//   [sp +   0 .. 71]   x0..x8                  saved           saved
//   [sp +  72 .. 231]  x9..x28                 -               saved
//   [sp + 232]         x29                     saved           saved
//   [sp + 240]         x30 = return address    x9              x9
//   [sp + 248]         sp at the entry         saved           saved
//   [sp + 256]         pc (continue address)   x30             x30
//   [sp + 264]         pstate                  0               NZCV | DAIF

import { Assembler, mem, type Assembled } from '../../isa/asm.ts';
import { OPS, REGS } from '../layout.ts';

/** The word the trampoline room holds until code is written there: BRK #0x800. */
export const TRAMP_FILL = 0xd4210000;

export interface CallerSymbols {
  /** ftrace_ops_list_func in the kernel image. */
  listFunc: bigint;
  /** ftrace_return_to_handler in the kernel image. */
  returnHandler: bigint;
}

export interface CallerCode extends Assembled {
  ftraceCaller: bigint;
  ftraceRegsCaller: bigint;
  returnToHandler: bigint;
  /** The CALL_OPS callers (=4,2 images): the ops comes from the literal before the function. */
  ftraceCallerOps: bigint;
  ftraceRegsCallerOps: bigint;
}

const FRAME = REGS.size;
const X = (n: number) => REGS.x + 8 * n;

/**
 * How the trampoline reaches the callbacks:
 *   list      ftrace_ops_list_func(ip, parent, NULL, regs): every ops, filters tested
 *   ops       one ops, known when the trampoline is generated: BL its callback with x2 = the ops
 *   call-ops  the ops the site's literal names (the 8 bytes before the function, x30 - 16):
 *             BLR ops->func with x2 = that ops (a list ops, a stub ops, or the site's one ops)
 */
export type CallVia = { via: 'list'; listFunc: bigint } | { via: 'ops'; ops: bigint; func: bigint } | { via: 'call-ops' };

/** Emits one trampoline at the assembler's pc: a frame (all of pt_regs with `full`), the call, the way back. */
export function emitCaller(a: Assembler, name: string, full: boolean, call: CallVia): void {
  a.bind(a.label(name));
  a.sub('sp', 'sp', FRAME, full ? 'a full pt_regs frame, below the traced function\'s SP' : 'frame for the saved registers, below the traced function\'s SP');
  if (full) {
    for (let n = 0; n < 30; n += 2) a.stp(`x${n}`, `x${n + 1}`, mem('sp', X(n)), `regs[${n}], regs[${n + 1}]`);
  } else {
    a.stp('x0', 'x1', mem('sp', X(0)), 'arguments x0, x1');
    a.stp('x2', 'x3', mem('sp', X(2)), 'arguments x2, x3');
    a.stp('x4', 'x5', mem('sp', X(4)), 'arguments x4, x5');
    a.stp('x6', 'x7', mem('sp', X(6)), 'arguments x6, x7');
    a.str('x8', mem('sp', X(8)), 'indirect result register');
    a.str('x29', mem('sp', X(29)), 'the caller\'s frame pointer');
  }
  a.str('x9', mem('sp', X(30)), 'regs[30]: the function\'s return address (MOV X9, X30 put it in x9)');
  if (full) {
    a.mrs('x10', 'nzcv', 'condition flags (x10 and x11 are saved already)');
    a.mrs('x11', 'daif', 'interrupt masks');
    a.orr('x10', 'x10', 'x11', 'pstate as the kernel\'s pt_regs holds it');
    a.str('x10', mem('sp', REGS.pstate), 'regs->pstate');
  } else {
    a.str('xzr', mem('sp', REGS.pstate), 'pstate: not saved by this trampoline');
  }
  a.add('x10', 'sp', FRAME, 'the SP at the traced function\'s entry');
  a.stp('x10', 'x30', mem('sp', REGS.sp), 'regs->sp, and regs->pc: continue after the BL');
  a.sub('x0', 'x30', 4, 'ip: the BL in the function\'s patchable entry');
  a.mov('x1', 'x9', 'parent_ip: where the function returns to');
  a.mov('x3', 'sp', 'regs: the frame');
  if (call.via === 'list') {
    a.mov('x2', 'xzr', 'op: none, the list function walks the registered ops');
    a.bl(call.listFunc, 'ftrace_ops_list_func(ip, parent_ip, op, regs)');
  } else if (call.via === 'ops') {
    a.ldr('x2', `${name}_ops`, 'op: this trampoline\'s ftrace_ops');
    const d = call.func - a.pc;
    if (d >= -(1n << 27n) && d < 1n << 27n) {
      a.bl(call.func, 'its callback(ip, parent_ip, op, regs), no list walk');
    } else {
      a.ldr('x4', `${name}_func`, 'its callback, beyond BL\'s reach from here');
      a.blr('x4', 'callback(ip, parent_ip, op, regs), no list walk');
    }
  } else {
    a.ldstImm9('unscaled', 'ldr', 'x2', mem('x30', -16), 'op: the literal 8 bytes before the function (fn - 8 = x30 - 16)');
    a.ldr('x4', mem('x2', OPS.func), 'op->func');
    a.blr('x4', 'op->func(ip, parent_ip, op, regs)');
  }
  if (full) {
    for (let n = 0; n < 30; n += 2) a.ldp(`x${n}`, `x${n + 1}`, mem('sp', X(n)), `x${n}, x${n + 1} from the frame (a callback may have changed them)`);
  } else {
    a.ldp('x0', 'x1', mem('sp', X(0)), 'arguments back');
    a.ldp('x2', 'x3', mem('sp', X(2)), 'arguments x2, x3 back');
    a.ldp('x4', 'x5', mem('sp', X(4)), 'arguments x4, x5 back');
    a.ldp('x6', 'x7', mem('sp', X(6)), 'arguments x6, x7 back');
    a.ldr('x8', mem('sp', X(8)), 'indirect result register back');
    a.ldr('x29', mem('sp', X(29)), 'frame pointer back');
  }
  a.ldr('x30', mem('sp', X(30)), 'return address: the parent, or return_to_handler when hooked');
  a.ldr('x9', mem('sp', REGS.pc), 'continue address: the body, or a replacement function');
  a.add('sp', 'sp', FRAME, 'drop the frame');
  a.ret('x9', 'into the function');
  if (call.via === 'ops') {
    a.align(8, 0);
    a.bind(a.label(`${name}_ops`));
    a.quad(call.ops, 'the ftrace_ops this trampoline serves');
    a.bind(a.label(`${name}_func`));
    a.quad(call.func, 'its callback');
  }
}

/** The shared trampolines, one after the other from `base`. */
export function generateCallers(base: bigint, sym: CallerSymbols): CallerCode {
  const a = new Assembler(base);
  const list: CallVia = { via: 'list', listFunc: sym.listFunc };
  emitCaller(a, 'ftrace_caller', false, list);
  emitCaller(a, 'ftrace_regs_caller', true, list);

  a.bind(a.label('return_to_handler'));
  a.sub('sp', 'sp', 80, 'room for the return values');
  a.stp('x0', 'x1', mem('sp', 0), 'return values x0, x1');
  a.stp('x2', 'x3', mem('sp', 16), 'x2, x3 (wide or aggregate results)');
  a.stp('x4', 'x5', mem('sp', 32), 'x4, x5');
  a.stp('x6', 'x7', mem('sp', 48), 'x6, x7');
  a.str('x8', mem('sp', 64), 'x8, the indirect result address');
  a.add('x0', 'sp', 80, 'the SP the hooked function returned with');
  a.bl(sym.returnHandler, 'ftrace_return_to_handler: pops the task\'s return stack, records the exit');
  a.mov('x30', 'x0', 'the real return address it popped');
  a.ldp('x0', 'x1', mem('sp', 0), 'return values x0, x1 back');
  a.ldp('x2', 'x3', mem('sp', 16), 'x2, x3 back');
  a.ldp('x4', 'x5', mem('sp', 32), 'x4, x5 back');
  a.ldp('x6', 'x7', mem('sp', 48), 'x6, x7 back');
  a.ldr('x8', mem('sp', 64), 'x8 back');
  a.add('sp', 'sp', 80, 'drop the room');
  a.ret('x30', 'to the caller of the hooked function');

  emitCaller(a, 'ftrace_caller_ops', false, { via: 'call-ops' });
  emitCaller(a, 'ftrace_regs_caller_ops', true, { via: 'call-ops' });

  const out = a.finish();
  const at = (l: string) => out.labels.get(l)!;
  return {
    ...out,
    ftraceCaller: at('ftrace_caller'),
    ftraceRegsCaller: at('ftrace_regs_caller'),
    returnToHandler: at('return_to_handler'),
    ftraceCallerOps: at('ftrace_caller_ops'),
    ftraceRegsCallerOps: at('ftrace_regs_caller_ops'),
  };
}

/** A dynamic trampoline for one ops (the x86 design on A64): its callback called directly, no list walk. */
export function generateOpsTrampoline(base: bigint, name: string, ops: bigint, func: bigint, full: boolean): Assembled {
  const a = new Assembler(base);
  emitCaller(a, name, full, { via: 'ops', ops, func });
  return a.finish();
}
