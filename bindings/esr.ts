// Decoding of the ESR_EL1 values the core produces (and the ESR-style
// syndrome it records for fault exits), for reports.

import * as L from '../assembly/layout.ts';

const CLASS_NAMES: Record<number, string> = {
  [L.EC_UNKNOWN]: 'unknown reason: undefined instruction',
  [L.EC_ILLEGAL]: 'illegal execution state',
  [L.EC_SVC64]: 'SVC instruction',
  [L.EC_IABT_LOW]: 'instruction abort from EL0',
  [L.EC_IABT_CUR]: 'instruction abort from EL1',
  [L.EC_PC_ALIGN]: 'PC alignment fault',
  [L.EC_DABT_LOW]: 'data abort from EL0',
  [L.EC_DABT_CUR]: 'data abort from EL1',
  [L.EC_BRK64]: 'BRK instruction',
};

const FSC_NAMES: Record<number, string> = {
  [L.FSC_EXTERNAL]: 'synchronous external abort',
  [L.FSC_ALIGN]: 'alignment fault',
};

const hex = (v: number, w = 2): string => '0x' + (v >>> 0).toString(16).padStart(w, '0');

/** The exception class (ESR bits 31:26). */
export const esrClass = (esr: number): number => (esr >>> 26) & 0x3f;

/** Name of an exception class, or a generic one for classes the core never produces. */
export function esrClassName(ec: number): string {
  return CLASS_NAMES[ec] ?? `exception class ${hex(ec)}`;
}

/** One line: class, IL and the fields of the ISS that matter for the class. */
export function describeEsr(esr: number): string {
  const ec = esrClass(esr);
  const parts = [`EC ${hex(ec)} (${esrClassName(ec)})`, `IL ${(esr >>> 25) & 1}`];
  const iss = esr & 0x1ffffff;
  const dabt = ec === L.EC_DABT_LOW || ec === L.EC_DABT_CUR;
  const iabt = ec === L.EC_IABT_LOW || ec === L.EC_IABT_CUR;
  if (ec === L.EC_SVC64 || ec === L.EC_BRK64) {
    parts.push(`imm16 ${hex(iss & 0xffff, 4)}`);
  } else if (dabt || iabt) {
    if (dabt) parts.push(`WnR ${(iss >>> 6) & 1}`);
    const fsc = iss & 0x3f;
    parts.push(`${dabt ? 'DFSC' : 'IFSC'} ${hex(fsc)} (${FSC_NAMES[fsc] ?? 'fault'})`);
  } else if (iss) {
    parts.push(`ISS ${hex(iss, 7)}`);
  }
  return parts.join(', ');
}
