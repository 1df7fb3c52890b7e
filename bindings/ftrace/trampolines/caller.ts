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
import { REGS } from '../layout.ts';

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
}

const FRAME = REGS.size;
const X = (n: number) => REGS.x + 8 * n;

/** The three trampolines, one after the other from `base`. */
export function generateCallers(base: bigint, sym: CallerSymbols): CallerCode {
  const a = new Assembler(base);

  a.bind(a.label('ftrace_caller'));
  a.sub('sp', 'sp', FRAME, 'frame for the saved registers, below the traced function\'s SP');
  a.stp('x0', 'x1', mem('sp', X(0)), 'arguments x0, x1');
  a.stp('x2', 'x3', mem('sp', X(2)), 'arguments x2, x3');
  a.stp('x4', 'x5', mem('sp', X(4)), 'arguments x4, x5');
  a.stp('x6', 'x7', mem('sp', X(6)), 'arguments x6, x7');
  a.str('x8', mem('sp', X(8)), 'indirect result register');
  a.str('x29', mem('sp', X(29)), 'the caller\'s frame pointer');
  a.str('x9', mem('sp', X(30)), 'regs[30]: the function\'s return address (MOV X9, X30 put it in x9)');
  entryTail(a, 'ftrace_caller leaves pstate unset');
  a.ldp('x0', 'x1', mem('sp', X(0)), 'arguments back');
  a.ldp('x2', 'x3', mem('sp', X(2)), 'arguments x2, x3 back');
  a.ldp('x4', 'x5', mem('sp', X(4)), 'arguments x4, x5 back');
  a.ldp('x6', 'x7', mem('sp', X(6)), 'arguments x6, x7 back');
  a.ldr('x8', mem('sp', X(8)), 'indirect result register back');
  a.ldr('x29', mem('sp', X(29)), 'frame pointer back');
  exitTail(a);

  a.bind(a.label('ftrace_regs_caller'));
  a.sub('sp', 'sp', FRAME, 'a full pt_regs frame, below the traced function\'s SP');
  for (let n = 0; n < 30; n += 2) a.stp(`x${n}`, `x${n + 1}`, mem('sp', X(n)), `regs[${n}], regs[${n + 1}]`);
  a.str('x9', mem('sp', X(30)), 'regs[30]: the function\'s return address (MOV X9, X30 put it in x9)');
  a.mrs('x10', 'nzcv', 'condition flags (x10 and x11 are saved already)');
  a.mrs('x11', 'daif', 'interrupt masks');
  a.orr('x10', 'x10', 'x11', 'pstate as the kernel\'s pt_regs holds it');
  entryTail(a, 'x10: pstate', 'x10');
  for (let n = 0; n < 30; n += 2) a.ldp(`x${n}`, `x${n + 1}`, mem('sp', X(n)), `x${n}, x${n + 1} from the frame (a callback may have changed them)`);
  exitTail(a);

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

  const out = a.finish();
  return {
    ...out,
    ftraceCaller: out.labels.get('ftrace_caller')!,
    ftraceRegsCaller: out.labels.get('ftrace_regs_caller')!,
    returnToHandler: out.labels.get('return_to_handler')!,
  };

  /** The common part after the registers are saved: sp, pc, pstate, the call. */
  function entryTail(as: Assembler, pstateNote: string, pstate: 'xzr' | 'x10' = 'xzr'): void {
    as.str(pstate, mem('sp', REGS.pstate), pstateNote);
    as.add('x10', 'sp', FRAME, 'the SP at the traced function\'s entry');
    as.stp('x10', 'x30', mem('sp', REGS.sp), 'regs->sp, and regs->pc: continue after the BL');
    as.sub('x0', 'x30', 4, 'ip: the BL in the function\'s patchable entry');
    as.mov('x1', 'x9', 'parent_ip: where the function returns to');
    as.mov('x2', 'xzr', 'op: none, the list function walks the registered ops');
    as.mov('x3', 'sp', 'regs: the frame');
    as.bl(sym.listFunc, 'ftrace_ops_list_func(ip, parent_ip, op, regs)');
  }

  /** Return address, continue address, frame gone, branch. */
  function exitTail(as: Assembler): void {
    as.ldr('x30', mem('sp', X(30)), 'return address: the parent, or return_to_handler when hooked');
    as.ldr('x9', mem('sp', REGS.pc), 'continue address: the body, or a replacement function');
    as.add('sp', 'sp', FRAME, 'drop the frame');
    as.ret('x9', 'into the function');
  }
}
