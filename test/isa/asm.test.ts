// The assembler: builder and text front end against llvm-mc, label fixups and
// their range checks, immediate encoders.

import { describe, expect, it } from 'vitest';
import { AsmError, Assembler, assemble, mem, memReg, movImmSeq, post, pre, shifted, extended, imm12 } from '../../bindings/isa/asm.ts';
import { decodeBitMasks, encodeLogicalImm } from '../../bindings/isa/bits.ts';
import { extractFields, findRow } from '../../bindings/isa/pattern.ts';
import { makeRng } from '../../bindings/isa/random.ts';
import { NO_LLVM_REASON, haveLlvmMc, llvmEncode } from '../util/llvm.ts';

const hex = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

// [llvm syntax, the same instruction through the builder (when it has a dedicated method)]
type B = (a: Assembler) => unknown;
const LINES: [string, B?][] = [
  ['add x0, x1, #16', (a) => a.add('x0', 'x1', 16)], ['add x0, sp, #4096', (a) => a.add('x0', 'sp', 4096)],
  ['add x0, x1, #-16', (a) => a.add('x0', 'x1', -16)], ['adds w3, w4, #1, lsl #12', (a) => a.adds('w3', 'w4', imm12(1, 12))],
  ['sub sp, sp, #32', (a) => a.sub('sp', 'sp', 32)], ['subs x0, x1, #4095', (a) => a.subs('x0', 'x1', 4095)],
  ['cmp x0, #5', (a) => a.cmp('x0', 5)], ['cmn w1, #0', (a) => a.cmn('w1', 0)], ['cmp sp, #16', (a) => a.cmp('sp', 16)],
  ['add x0, x1, x2', (a) => a.add('x0', 'x1', 'x2')], ['add x0, x1, x2, lsl #3', (a) => a.add('x0', 'x1', shifted('x2', 'lsl', 3))],
  ['add x0, sp, x1', (a) => a.add('x0', 'sp', 'x1')], ['add x0, sp, x1, lsl #2', (a) => a.add('x0', 'sp', shifted('x1', 'lsl', 2))],
  ['add x0, x1, w2, uxtw #2', (a) => a.add('x0', 'x1', extended('w2', 'uxtw', 2))],
  ['add sp, x1, w2, sxtw', (a) => a.add('sp', 'x1', extended('w2', 'sxtw'))],
  ['sub w0, wsp, w1, uxtb #4', (a) => a.sub('w0', 'wsp', extended('w1', 'uxtb', 4))],
  ['subs x0, x1, x2, asr #7', (a) => a.subs('x0', 'x1', shifted('x2', 'asr', 7))],
  ['cmp x1, x2, lsl #4', (a) => a.cmp('x1', shifted('x2', 'lsl', 4))], ['cmn x1, w2, sxth', (a) => a.cmn('x1', extended('w2', 'sxth'))],
  ['neg x0, x1', (a) => a.neg('x0', 'x1')], ['negs w0, w1, lsr #3', (a) => a.negs('w0', shifted('w1', 'lsr', 3))],
  ['and x0, x1, #0xff', (a) => a.and('x0', 'x1', 0xff)], ['orr w0, w1, #0x80000001', (a) => a.orr('w0', 'w1', 0x80000001)],
  ['eor x0, x1, #0x5555555555555555', (a) => a.eor('x0', 'x1', 0x5555555555555555n)],
  ['ands x2, x3, #0xf0', (a) => a.ands('x2', 'x3', 0xf0)], ['and sp, x3, #0xfffffffffffffff0', (a) => a.and('sp', 'x3', -16)],
  ['tst x0, #1', (a) => a.tst('x0', 1)], ['tst w0, w1, lsl #2', (a) => a.tst('w0', shifted('w1', 'lsl', 2))],
  ['bic x0, x1, x2', (a) => a.bic('x0', 'x1', 'x2')], ['bics x0, x1, x2, lsr #1', (a) => a.bics('x0', 'x1', shifted('x2', 'lsr', 1))],
  ['orn w0, w1, w2, ror #3', (a) => a.orn('w0', 'w1', shifted('w2', 'ror', 3))], ['eon x0, x1, x2', (a) => a.eon('x0', 'x1', 'x2')],
  ['mvn x0, x1', (a) => a.mvn('x0', 'x1')], ['mov x0, x1', (a) => a.mov('x0', 'x1')], ['mov x0, sp', (a) => a.mov('x0', 'sp')],
  ['mov sp, x9', (a) => a.mov('sp', 'x9')], ['mov w0, wsp', (a) => a.mov('w0', 'wsp')], ['mov x9, x30', (a) => a.mov('x9', 'x30')],
  ['mov x0, #0', (a) => a.mov('x0', 0)], ['mov x0, #-1', (a) => a.mov('x0', -1)], ['mov w0, #-1', (a) => a.mov('w0', -1)],
  ['mov w0, #0xffffffff', (a) => a.mov('w0', 0xffffffff)], ['mov x0, #0x10000', (a) => a.mov('x0', 0x10000)],
  ['mov x0, #0xffff0000ffff0000', (a) => a.mov('x0', 0xffff0000ffff0000n)], ['mov w0, #0x80000001', (a) => a.mov('w0', 0x80000001)],
  ['mov xzr, #5', (a) => a.mov('xzr', 5)], ['mov x0, #-65537', (a) => a.mov('x0', -65537)],
  ['movz x0, #0x1234, lsl #32', (a) => a.movz('x0', 0x1234, 32)], ['movz w0, #0', (a) => a.movz('w0', 0)],
  ['movn w0, #0xffff', (a) => a.movn('w0', 0xffff)], ['movk x0, #0xbeef, lsl #48', (a) => a.movk('x0', 0xbeef, 48)],
  ['movk w1, #1, lsl #16', (a) => a.movk('w1', 1, 16)],
  ['lsl x0, x1, #3', (a) => a.lsl('x0', 'x1', 3)], ['lsl w0, w1, #0', (a) => a.lsl('w0', 'w1', 0)], ['lsr w0, w1, #31', (a) => a.lsr('w0', 'w1', 31)],
  ['asr x0, x1, #63', (a) => a.asr('x0', 'x1', 63)], ['ror x0, x1, #5', (a) => a.ror('x0', 'x1', 5)],
  ['lsl x0, x1, x2', (a) => a.lsl('x0', 'x1', 'x2')], ['asr w0, w1, w2', (a) => a.asr('w0', 'w1', 'w2')], ['lsrv x3, x4, x5'], ['rorv w1, w2, w3'],
  ['ubfx x0, x1, #4, #8', (a) => a.ubfx('x0', 'x1', 4, 8)], ['sbfx w0, w1, #0, #1', (a) => a.sbfx('w0', 'w1', 0, 1)],
  ['ubfiz x0, x1, #3, #5', (a) => a.ubfiz('x0', 'x1', 3, 5)], ['sbfiz w0, w1, #31, #1', (a) => a.sbfiz('w0', 'w1', 31, 1)],
  ['bfi x0, x1, #8, #16', (a) => a.bfi('x0', 'x1', 8, 16)], ['bfxil w0, w1, #0, #32', (a) => a.bfxil('w0', 'w1', 0, 32)],
  ['bfc x0, #3, #4', (a) => a.bfc('x0', 3, 4)], ['bfm x0, x1, #3, #2', (a) => a.bfm('x0', 'x1', 3, 2)], ['ubfm w0, w1, #5, #4'], ['sbfm x0, x1, #0, #63'],
  ['sxtb x0, w1', (a) => a.ext('sxtb', 'x0', 'w1')], ['sxth w0, w1', (a) => a.ext('sxth', 'w0', 'w1')], ['sxtw x0, w1', (a) => a.ext('sxtw', 'x0', 'w1')],
  ['uxtb w0, w1', (a) => a.ext('uxtb', 'w0', 'w1')], ['uxth w0, w1', (a) => a.ext('uxth', 'w0', 'w1')],
  ['extr x0, x1, x2, #17', (a) => a.extr('x0', 'x1', 'x2', 17)],
  ['mul x0, x1, x2', (a) => a.mul('x0', 'x1', 'x2')], ['madd w0, w1, w2, w3', (a) => a.madd('w0', 'w1', 'w2', 'w3')],
  ['msub x0, x1, x2, x3', (a) => a.msub('x0', 'x1', 'x2', 'x3')], ['mneg x0, x1, x2', (a) => a.mneg('x0', 'x1', 'x2')],
  ['smull x0, w1, w2', (a) => a.smull('x0', 'w1', 'w2')], ['umull x0, w1, w2', (a) => a.umull('x0', 'w1', 'w2')],
  ['smulh x0, x1, x2', (a) => a.mulLong('SMULH', 'x0', 'x1', 'x2')], ['umulh x3, x4, x5'], ['umaddl x0, w1, w2, x3'], ['smsubl x0, w1, w2, x3'],
  ['smnegl x0, w1, w2'], ['umnegl x0, w1, w2'],
  ['udiv x0, x1, x2', (a) => a.udiv('x0', 'x1', 'x2')], ['sdiv w0, w1, w2', (a) => a.sdiv('w0', 'w1', 'w2')],
  ['adc x0, x1, x2', (a) => a.adc('adc', 'x0', 'x1', 'x2')], ['sbcs w0, w1, w2', (a) => a.adc('sbcs', 'w0', 'w1', 'w2')],
  ['adcs x0, xzr, x1'], ['sbc w0, w1, w2'], ['ngc x0, x1'], ['ngcs w0, w1'],
  ['rbit x0, x1', (a) => a.bits('rbit', 'x0', 'x1')], ['rev w0, w1', (a) => a.bits('rev', 'w0', 'w1')], ['rev x0, x1', (a) => a.bits('rev', 'x0', 'x1')],
  ['rev32 x0, x1'], ['rev16 w0, w1'], ['clz x0, x1'], ['cls w0, w1'],
  ['csel x0, x1, x2, eq', (a) => a.csel('x0', 'x1', 'x2', 'eq')], ['csinc w0, w1, w2, hs', (a) => a.csinc('w0', 'w1', 'w2', 'hs')],
  ['csinv x0, x1, x2, al'], ['csneg w0, w1, w2, nv'],
  ['cset x0, ne', (a) => a.cset('x0', 'ne')], ['csetm w0, lt', (a) => a.csetm('w0', 'lt')], ['cinc x0, x1, gt', (a) => a.cinc('x0', 'x1', 'gt')],
  ['cinv w0, w1, cs', (a) => a.cinv('w0', 'w1', 'cs')], ['cneg x0, x1, mi', (a) => a.cneg('x0', 'x1', 'mi')],
  ['ccmp x0, x1, #4, ne', (a) => a.ccmp('x0', 'x1', 4, 'ne')], ['ccmn w0, #31, #15, al', (a) => a.ccmn('w0', 31, 15, 'al')],
  ['ldr x0, [x1]', (a) => a.ldr('x0', mem('x1'))], ['ldr x0, [x1, #8]', (a) => a.ldr('x0', mem('x1', 8))],
  ['ldr x0, [x1, #3]', (a) => a.ldr('x0', mem('x1', 3))], ['ldr w0, [sp, #-4]', (a) => a.ldr('w0', mem('sp', -4))],
  ['ldr x0, [x1, #16]!', (a) => a.ldr('x0', pre('x1', 16))], ['ldr x0, [x1], #-16', (a) => a.ldr('x0', post('x1', -16))],
  ['str x0, [sp, #32760]', (a) => a.str('x0', mem('sp', 32760))], ['str xzr, [x1, #-256]', (a) => a.str('xzr', mem('x1', -256))],
  ['strb w0, [x1, #4095]', (a) => a.strb('w0', mem('x1', 4095))], ['ldrh w0, [x1, #2]', (a) => a.ldrh('w0', mem('x1', 2))],
  ['strh w0, [x1, #1]', (a) => a.strh('w0', mem('x1', 1))], ['ldrb w0, [x1, #-1]!', (a) => a.ldrb('w0', pre('x1', -1))],
  ['ldrsb x0, [x1]', (a) => a.ldrsb('x0', mem('x1'))], ['ldrsb w0, [x1, #1]', (a) => a.ldrsb('w0', mem('x1', 1))],
  ['ldrsh x0, [x1, #-2]!', (a) => a.ldrsh('x0', pre('x1', -2))], ['ldrsw x0, [x1, #4]', (a) => a.ldrsw('x0', mem('x1', 4))],
  ['ldr x0, [x1, x2]', (a) => a.ldr('x0', memReg('x1', 'x2'))], ['ldr x0, [x1, x2, lsl #3]', (a) => a.ldr('x0', memReg('x1', 'x2', 'lsl', 3))],
  ['ldr w0, [x1, w2, uxtw]', (a) => a.ldr('w0', memReg('x1', 'w2', 'uxtw'))],
  ['ldr w0, [x1, w2, sxtw #2]', (a) => a.ldr('w0', memReg('x1', 'w2', 'sxtw', 2))],
  ['ldrb w0, [x1, x2, lsl #0]', (a) => a.ldrb('w0', memReg('x1', 'x2', 'lsl', 0))],
  ['ldrb w0, [x1, w2, uxtw #0]', (a) => a.ldrb('w0', memReg('x1', 'w2', 'uxtw', 0))],
  ['strh w0, [x1, x2, sxtx #1]', (a) => a.strh('w0', memReg('x1', 'x2', 'sxtx', 1))],
  ['prfm pldl1keep, [x0]', (a) => a.prfm('pldl1keep', mem('x0'))], ['prfm pstl2strm, [x0, #8]', (a) => a.prfm('pstl2strm', mem('x0', 8))],
  ['prfm #22, [x0, x1]', (a) => a.prfm(22, memReg('x0', 'x1'))], ['prfm plil3strm, [sp, #8]'], ['prfum plil3strm, [sp, #-8]'],
  ['ldur x0, [x1, #-8]', (a) => a.ldstImm9('unscaled', 'ldr', 'x0', mem('x1', -8))], ['sturb w0, [x1]'], ['ldursw x0, [x1, #255]'],
  ['ldtr x0, [x1, #8]', (a) => a.ldstImm9('unpriv', 'ldr', 'x0', mem('x1', 8))], ['sttrh w0, [x1, #-256]'], ['ldtrsb x0, [sp]'],
  ['prfum pldl1keep, [x0, #1]'],
  ['ldp x0, x1, [sp]', (a) => a.ldp('x0', 'x1', mem('sp'))], ['ldp x0, x1, [sp, #16]', (a) => a.ldp('x0', 'x1', mem('sp', 16))],
  ['stp x29, x30, [sp, #-16]!', (a) => a.stp('x29', 'x30', pre('sp', -16))],
  ['ldp x29, x30, [sp], #16', (a) => a.ldp('x29', 'x30', post('sp', 16))], ['ldp w0, w1, [x2, #-256]', (a) => a.ldp('w0', 'w1', mem('x2', -256))],
  ['stp w0, w1, [x2, #252]', (a) => a.stp('w0', 'w1', mem('x2', 252))], ['ldpsw x0, x1, [x2, #252]', (a) => a.pair('ldpsw', 'x0', 'x1', mem('x2', 252))],
  ['stnp x0, x1, [x2, #8]', (a) => a.pair('stnp', 'x0', 'x1', mem('x2', 8))], ['ldnp w0, w1, [x2]'],
  ['ldxr x0, [x1]', (a) => a.ldxr('x0', 'x1')], ['ldxrb w0, [x1]'], ['stxr w2, x0, [x1]', (a) => a.stxr('w2', 'x0', 'x1')],
  ['stlxrh w2, w0, [sp]'], ['ldaxr w0, [x1]', (a) => a.ldaxr('w0', 'x1')], ['stlxr w3, w0, [x1]', (a) => a.stlxr('w3', 'w0', mem('x1'))],
  ['ldar x0, [x1]', (a) => a.ldar('x0', 'x1')], ['stlr w0, [x1]', (a) => a.stlr('w0', 'x1')], ['ldlarb w0, [x1]'], ['stllr x0, [x1]'],
  ['ldarh w0, [x1, #0]'], ['ldxp x0, x1, [x2]'], ['stlxp w3, w0, w1, [x2]'],
  ['cas x0, x1, [x2]', (a) => a.cas('cas', 'x0', 'x1', 'x2')], ['casalb w0, w1, [sp]'], ['caslh w0, w1, [x2]'], ['casa w0, w1, [x2]'],
  ['casp x0, x1, x2, x3, [x4]', (a) => a.casp('casp', 'x0', 'x1', 'x2', 'x3', 'x4')], ['caspal w4, w5, w6, w7, [x8]'],
  ['ldadd x0, x1, [x2]', (a) => a.atomic('ldadd', 'x0', 'x1', 'x2')], ['ldaddal w0, w1, [x2]'],
  ['stadd w0, [x1]', (a) => a.atomic('stadd', 'w0', null, 'x1')], ['stclrlb w0, [x1]'], ['ldsmaxah w0, w1, [x2]'],
  ['swpal x0, x1, [x2]', (a) => a.atomic('swpal', 'x0', 'x1', 'x2')], ['swpb w0, w1, [x2]'], ['steorl x3, [sp]'], ['lduminh w1, w2, [x3]'],
  ['b #16'], ['bl #-4'], ['b.eq #8'], ['b.ne #-1048576'], ['b.hs #1048572'], ['cbz x0, #12'], ['cbnz w0, #-8'],
  ['tbz w0, #3, #16'], ['tbnz x0, #63, #-32768'], ['tbz x1, #40, #32764'],
  ['adr x0, #16'], ['adr x0, #-1'], ['adr x1, #1048575'], ['adrp x0, #4096'], ['adrp x1, #-4294967296'], ['ldr x0, #8'], ['ldrsw x1, #-4'],
  ['prfm pldl2keep, #1024'],
  ['br x16', (a) => a.br('x16')], ['blr x0', (a) => a.blr('x0')], ['ret', (a) => a.ret()], ['ret x1', (a) => a.ret('x1')],
  ['eret', (a) => a.eret()], ['drps'],
  ['svc #0', (a) => a.svc(0)], ['hvc #0x10', (a) => a.hvc(0x10)], ['brk #1000', (a) => a.brk(1000)], ['smc #65535'], ['hlt #1'],
  ['dcps1'], ['dcps2 #7'],
  ['nop', (a) => a.nop()], ['yield'], ['wfe'], ['wfi'], ['sev'], ['sevl'], ['dgh'], ['csdb'], ['hint #34', (a) => a.hint(34)],
  ['isb', (a) => a.isb()], ['isb #3'], ['isb sy'], ['dsb ish', (a) => a.dsb('ish')], ['dsb sy', (a) => a.dsb('sy')],
  ['dmb ishld', (a) => a.dmb('ishld')], ['dmb #0', (a) => a.dmb(0)], ['dsb #12'], ['clrex'], ['clrex #5'], ['ssbb'], ['pssbb'],
  ['mrs x0, tpidr_el0', (a) => a.mrs('x0', 'tpidr_el0')], ['mrs x1, nzcv', (a) => a.mrs('x1', 'NZCV')],
  ['mrs x2, s3_3_c15_c2_0', (a) => a.mrs('x2', 's3_3_c15_c2_0')], ['mrs x3, cntvct_el0'], ['mrs x4, currentel'], ['mrs x5, midr_el1'],
  ['msr tpidr_el0, x0', (a) => a.msr('tpidr_el0', 'x0')], ['msr nzcv, x1', (a) => a.msr('nzcv', 'x1')], ['msr vbar_el1, x2'],
  ['msr sctlr_el1, x3'], ['msr cntv_ctl_el0, x4'], ['msr S2_0_C0_C2_2, x5'],
  ['msr daifset, #2', (a) => a.msr('daifset', 2)], ['msr daifclr, #15', (a) => a.msr('DAIFClr', 15)], ['msr spsel, #1'], ['msr pan, #1'],
  ['msr S0_3_C4_C0_0, xzr'],
  ['sys #3, c7, c4, #1, x0', (a) => a.sys(3, 7, 4, 1, 'x0')], ['sys #0, c7, c5, #0', (a) => a.sys(0, 7, 5, 0)], ['sysl x0, #1, c2, c3, #4'],
  ['dc zva, x0', (a) => a.sysOp('dc', 'zva', 'x0')], ['dc civac, x1', (a) => a.sysOp('dc', 'civac', 'x1')], ['dc cvau, x2'],
  ['ic ivau, x2', (a) => a.sysOp('ic', 'ivau', 'x2')], ['ic iallu', (a) => a.sysOp('ic', 'iallu')], ['ic ialluis'],
  ['tlbi vmalle1is', (a) => a.sysOp('tlbi', 'vmalle1is')], ['tlbi vae1, x3'], ['at s1e1r, x4'],
];

describe('assembler', () => {
  it('the builder and the text front end agree', () => {
    for (const [line, build] of LINES) {
      if (!build) continue;
      const a = new Assembler(0x1000n);
      build(a);
      expect(hex(a.finish().words[0]), line).toBe(hex(assemble(line, 0x1000n).words[0]));
    }
  });

  it.skipIf(!haveLlvmMc())(`assembles ${LINES.length} lines as llvm-mc does`, () => {
    const ref = llvmEncode(LINES.map(([l]) => l));
    const bad: string[] = [];
    LINES.forEach(([line], i) => {
      let got: string;
      try {
        got = hex(assemble(line, 0x1000n).words[0]);
      } catch (e) {
        got = String(e);
      }
      if (ref[i] === null || got !== hex(ref[i]!)) bad.push(`${line}: ours ${got}, llvm ${ref[i] === null ? 'error' : hex(ref[i]!)}`);
    });
    expect(bad).toEqual([]);
    expect(LINES.length).toBeGreaterThanOrEqual(250);
  });

  it('resolves labels forwards and backwards, with a listing', () => {
    const a = new Assembler(0x400000n);
    const done = a.label('done');
    a.bind('top').cbz('x0', done, 'nothing to do').sub('x0', 'x0', 1).b('top', 'again');
    a.bind(done).adr('x1', 'data').adrp('x2', 'data').ldr('x3', 'data').ret();
    a.bind('data').quad(0x1122334455667788n, 'payload').quad('top');
    const out = a.finish();
    expect(out.labels).toEqual(new Map([['top', 0x400000n], ['done', 0x40000cn], ['data', 0x40001cn]]));
    expect(out.listing.map((l) => l.text)).toEqual([
      'cbz x0, 0x40000c <done>', 'sub x0, x0, #1', 'b 0x400000 <top>',
      'adr x1, #16', 'adrp x2, 0x400000 <top>', 'ldr x3, 0x40001c <data>', 'ret',
      '.quad 0x1122334455667788', '', '.quad 0x400000', '',
    ]);
    expect(out.listing[0].comment).toBe('nothing to do');
    expect(out.listing[2].comment).toBe('again');
    expect(out.listing[7].comment).toBe('payload');
    expect(out.words.length).toBe(11);
    expect(Array.from(out.bytes.slice(28, 36))).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(out.words[9]).toBe(0x400000);
    // the same program as text
    const text = assemble(
      `top: cbz x0, done // nothing to do
        sub x0, x0, #1
        b top // again
      done:
        adr x1, data
        adrp x2, data
        ldr x3, data
        ret
      data: .quad 0x1122334455667788 // payload
        .quad top`,
      0x400000n,
    );
    expect(Array.from(text.words)).toEqual(Array.from(out.words));
    expect(text.listing.map((l) => l.comment)).toEqual(out.listing.map((l) => l.comment));
  });

  it('branches to absolute addresses and to labels defined outside the code', () => {
    const a = new Assembler(0x10000n);
    a.defineLabel('target', 0x20000n);
    a.b(0x10010n).bl('target').b('target');
    const out = a.finish();
    expect(out.listing.map((l) => l.text)).toEqual(['b 0x10010', 'bl 0x20000 <target>', 'b 0x20000 <target>']);
  });

  // [method, reach forward (largest offset), reach backward (most negative)]
  const ranges: [string, (a: Assembler, t: string) => unknown, bigint, bigint][] = [
    ['b', (a, t) => a.b(t), (1n << 27n) - 4n, -(1n << 27n)],
    ['bl', (a, t) => a.bl(t), (1n << 27n) - 4n, -(1n << 27n)],
    ['b.cond', (a, t) => a.bcond('ne', t), (1n << 20n) - 4n, -(1n << 20n)],
    ['cbz', (a, t) => a.cbz('x0', t), (1n << 20n) - 4n, -(1n << 20n)],
    ['ldr literal', (a, t) => a.ldr('x0', t), (1n << 20n) - 4n, -(1n << 20n)],
    ['tbz', (a, t) => a.tbz('x0', 1, t), (1n << 15n) - 4n, -(1n << 15n)],
    ['adr', (a, t) => a.adr('x0', t), (1n << 20n) - 1n, -(1n << 20n)],
    ['adrp', (a, t) => a.adrp('x0', t), (1n << 32n) - 4096n, -(1n << 32n)],
  ];
  for (const [name, emit, hi, lo] of ranges) {
    it(`checks the range of ${name} (${lo} .. ${hi} bytes)`, () => {
      const base = 0x100000000n;
      for (const [dist, ok] of [[hi, true], [lo, true], [hi + (name === 'adrp' ? 4096n : 4n), false], [lo - (name === 'adrp' ? 4096n : 4n), false]] as const) {
        const a = new Assembler(base);
        a.defineLabel('far', base + dist);
        emit(a, 'far');
        if (ok) {
          // ADR prints its offset, the others the target address and label
          const want = name === 'adr' ? `#${dist}` : `0x${(base + dist).toString(16)} <far>`;
          expect(a.finish().listing[0].text, `${name} ${dist}`).toContain(want);
        } else {
          let err: unknown;
          try {
            a.finish();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(AsmError);
          expect((err as AsmError).label).toBe('far');
          expect((err as AsmError).distance).toBe(dist);
          expect((err as AsmError).message).toMatch(/label 'far' is -?\d+ bytes away, out of range/);
        }
      }
    });
  }

  it('checks a TBZ range with a real buffer and rejects unbound and doubly bound labels', () => {
    const a = new Assembler(0n);
    a.tbz('w1', 2, 'end');
    for (let i = 0; i < 8190; i++) a.nop();
    a.bind('end');
    expect(a.finish().listing[0].text).toBe('tbz w1, #2, 0x7ffc <end>');
    const b = new Assembler(0n);
    b.tbnz('w1', 2, 'end');
    for (let i = 0; i < 8191; i++) b.nop();
    b.bind('end');
    expect(() => b.finish()).toThrow(/label 'end' is 32768 bytes away, out of range \(±32 KiB\)/);
    expect(() => new Assembler(0n).b('nowhere').finish()).toThrow(/label 'nowhere' is not bound/);
    expect(() => new Assembler(0n).bind('x').bind('x')).toThrow(AsmError);
    expect(() => assemble('b.eq #2')).toThrow(/not a multiple of 4/);
  });

  it('reports bad operands with AsmError and the line', () => {
    expect(() => assemble('nop\nadd x0, w1, #1')).toThrow(/line 2: add: registers of different widths/);
    expect(() => assemble('and x0, x1, #0x1234')).toThrow(/not encodable as a logical immediate/);
    expect(() => assemble('mov x0, #0x1234567')).toThrow(/more than one instruction/);
    expect(() => assemble('ldr x0, [x1, #4097]')).toThrow(AsmError);
    expect(() => assemble('frob x0')).toThrow(/unknown mnemonic 'frob'/);
    expect(() => new Assembler(0n).add('x0', 'x1', 4097)).toThrow(AsmError);
  });

  it('movImm64 builds every value with a short sequence', () => {
    const rng = makeRng(0x64);
    const values: bigint[] = [
      0n, 1n, -1n, 0xffffn, 0x10000n, 0xffff0000ffff0000n, 0x0000ffff0000ffffn, 0x1234n, 0xffffffffffff1234n,
      0x123456789abcdef0n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffff00000000n, 0x00000000ffffffffn,
      0x5555555555555555n, 0xfffffffffffffffen, 0x0001000100010001n, 0xdead0000beef0000n, 0xffff1234ffff5678n,
    ];
    for (let i = 0; i < 500; i++) {
      let v = (BigInt(rng()) << 32n) | BigInt(rng());
      if (i % 3 === 0) v &= 0xffff0000ffff0000n; // sparse values
      if (i % 3 === 1) v |= 0xffffffff0000ffffn; // mostly ones
      values.push(v);
    }
    for (const value of values) {
      const v = BigInt.asUintN(64, value);
      const words = movImmSeq('x7', value);
      const halves = [0, 1, 2, 3].map((k) => (v >> BigInt(16 * k)) & 0xffffn);
      const minimal = Math.max(1, Math.min(halves.filter((h) => h !== 0n).length, halves.filter((h) => h !== 0xffffn).length));
      expect(words.length, `0x${v.toString(16)}`).toBeLessThanOrEqual(minimal);
      expect(run(words, 'x7'), `0x${v.toString(16)}`).toBe(v);
    }
    for (const value of [0n, 0xffffffffn, 0x12345678n, 0xffff0000n, 0x80000001n, -2n]) {
      expect(run(movImmSeq('w3', value), 'w3')).toBe(BigInt.asUintN(32, value));
    }
  });

  it('encodes every logical immediate canonically and rejects the others', () => {
    let count = 0;
    for (const size of [32, 64] as const) {
      for (let N = 0; N <= (size === 64 ? 1 : 0); N++) {
        for (let immr = 0; immr < size; immr++) {
          for (let imms = 0; imms < 64; imms++) {
            const v = decodeBitMasks(N, immr, imms, size);
            if (v === null) continue;
            const e = encodeLogicalImm(v, size);
            expect(e).not.toBeNull();
            expect(decodeBitMasks(e!.N, e!.immr, e!.imms, size)).toBe(v);
            count++;
          }
        }
      }
    }
    expect(count).toBeGreaterThan(5000);
    for (const v of [0n, -1n, 0x1234n, 0x5n, 0xffff0000ffff0001n]) expect(encodeLogicalImm(v, 64)).toBeNull();
  });
});

/** Executes MOVZ/MOVN/MOVK/ORR (immediate) words symbolically: the value they leave in rd. */
function run(words: number[], rd: string): bigint {
  const n = Number(rd.slice(1));
  let v = 0n;
  for (const w of words) {
    const row = findRow(w)!;
    const f = extractFields(row, w);
    const width = f.sf ? 64 : 32;
    expect(f.Rd).toBe(n);
    const imm = BigInt(f.imm16 ?? 0) << BigInt(16 * (f.hw ?? 0));
    if (row.id === 'MOVZ') v = imm;
    else if (row.id === 'MOVN') v = BigInt.asUintN(width, ~imm);
    else if (row.id === 'MOVK') v = (v & ~(0xffffn << BigInt(16 * f.hw))) | imm;
    else if (row.id === 'ORR_imm' && f.Rn === 31) v = decodeBitMasks(f.N, f.immr, f.imms, width as 32 | 64)!;
    else throw new Error(`unexpected ${row.id}`);
  }
  return v;
}

if (!haveLlvmMc()) console.warn(`asm.test.ts: ${NO_LLVM_REASON}`);
