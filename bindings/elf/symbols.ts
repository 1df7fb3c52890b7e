/** Name and address lookup over a parsed symbol table. */
import { SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, type ElfImage, type ElfSegment, type ElfSymbol,
  type ElfSymbolBinding } from './types.ts';

/** AArch64 (and AArch32) mapping symbols: `$x`, `$d`, `$x.foo`... */
export function isMappingSymbol(name: string): boolean {
  return /^\$[adtx](\.|$)/.test(name);
}

const bindingRank = (b: ElfSymbolBinding): number => (b === 'GLOBAL' ? 2 : b === 'WEAK' ? 1 : 0);

function isDefined(s: ElfSymbol): boolean {
  return s.sectionIndex !== SHN_UNDEF && (s.sectionIndex < SHN_LORESERVE || s.sectionIndex === SHN_XINDEX);
}

/** Builds `symbolize` and `symbolAddress` for an image (rules documented on {@link ElfImage}). */
export function symbolLookup(
  symbols: ElfSymbol[],
  segmentAt: (addr: bigint) => ElfSegment | undefined,
): Pick<ElfImage, 'symbolize' | 'symbolAddress'> {
  // Name lookup.
  const byName = new Map<string, ElfSymbol>();
  for (const s of symbols) {
    if (!isDefined(s) || s.name === '' || s.type === 'SECTION' || s.type === 'FILE' || isMappingSymbol(s.name)) continue;
    const prev = byName.get(s.name);
    if (!prev || bindingRank(s.binding) > bindingRank(prev.binding)) byName.set(s.name, s);
  }

  // Address lookup: candidates sorted by value, and within one value from the
  // least to the most preferred, so a backwards scan meets the best one first.
  const rank = (s: ElfSymbol): number => (s.type === 'FUNC' && s.size > 0n ? 8 : 0) + bindingRank(s.binding);
  const cands = symbols
    .filter((s) => isDefined(s) && s.name !== '' && !isMappingSymbol(s.name) &&
      (s.type === 'FUNC' || s.type === 'NOTYPE' || s.type === 'IFUNC'))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : rank(a) - rank(b) || b.index - a.index));
  const ends: bigint[] = [];
  const maxEnds: bigint[] = [];
  let next = -1; // index of the first candidate with a greater value
  for (let i = cands.length - 1; i >= 0; i--) {
    const c = cands[i]!;
    if (i + 1 < cands.length && cands[i + 1]!.value !== c.value) next = i + 1;
    let end: bigint;
    if (c.size > 0n) {
      end = c.value + c.size;
    } else {
      const seg = segmentAt(c.value);
      end = seg ? seg.vaddr + seg.memSize : c.value + 1n;
      if (next >= 0 && cands[next]!.value < end) end = cands[next]!.value;
    }
    ends[i] = end;
  }
  for (let i = 0; i < cands.length; i++) {
    maxEnds[i] = i > 0 && maxEnds[i - 1]! > ends[i]! ? maxEnds[i - 1]! : ends[i]!;
  }

  return {
    symbolAddress: (name: string) => byName.get(name)?.value,
    symbolize: (addr: bigint) => {
      let lo = 0;
      let hi = cands.length - 1;
      let last = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cands[mid]!.value <= addr) {
          last = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      for (let i = last; i >= 0 && maxEnds[i]! > addr; i--) {
        if (addr < ends[i]!) return { name: cands[i]!.name, offset: addr - cands[i]!.value };
      }
      return null;
    },
  };
}
