#!/usr/bin/env node
// Builds the AArch64 guest programs in guest/ into guest/build/.
//
//   node scripts/build-guest.mjs                 build everything, write the manifest
//   node scripts/build-guest.mjs --check-repro   also rebuild into a scratch directory
//                                                and require byte-identical ELFs
//   node scripts/build-guest.mjs --no-run        do not run the programs under qemu
//   node scripts/build-guest.mjs --kernel-into DIR
//                                                build only the kernel images, into DIR
//                                                (the manifest is left alone)
//
// Every C test is built for {-O0,-O2,-Os} x {armv8-a, armv8.1-a} (a few with
// flags of their own, C_TEST_FLAGS); every .S test once; the benchmark once. The kernel-profile programs of guest/smp/
// (smp-*.elf) are built once each, linked at 0x40000000 with guest/smp/lib;
// they run on the Machine, not under qemu-aarch64. The mini SMP kernel of
// guest/kernel/ is built twice from the same sources, with
// -fpatchable-function-entry=2 (kernel-pfe2.elf) and =4,2 (kernel-pfe42.elf),
// linked with guest/kernel/kernel.ld; it runs on the Machine too. When qemu-aarch64 is available each program
// is run, all variants of one source must print the same bytes and exit with
// the same status, and the reference output is stored in guest/build/expected/.
// guest/build/manifest.json describes every ELF (paths relative to the
// repository root).

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CC = process.env.GUEST_CC || 'aarch64-linux-gnu-gcc';
// The archiver that goes with CC (GUEST_AR overrides).
const AR = process.env.GUEST_AR || (CC.endsWith('gcc') ? `${CC.slice(0, -3)}ar` : 'ar');
const QEMU = process.env.GUEST_QEMU || 'qemu-aarch64';
const OUT_DIR = 'guest/build';
const EXPECTED_DIR = `${OUT_DIR}/expected`;

const rawArgs = process.argv.slice(2);
let kernelInto = null;
const ki = rawArgs.indexOf('--kernel-into');
if (ki >= 0) {
  kernelInto = rawArgs[ki + 1];
  if (!kernelInto) {
    console.error('build-guest: --kernel-into needs a directory');
    process.exit(2);
  }
  rawArgs.splice(ki, 2);
}
const argv = new Set(rawArgs);
for (const a of argv) {
  if (!['--check-repro', '--no-run', '--help', '-h'].includes(a)) {
    console.error(`build-guest: unknown option ${a}`);
    process.exit(2);
  }
}
if (argv.has('--help') || argv.has('-h')) {
  console.log('usage: node scripts/build-guest.mjs [--check-repro] [--no-run] [--kernel-into DIR]');
  process.exit(0);
}

// Flags shared by every compile and link.
const COMMON_FLAGS = [
  '-static',
  '-nostdlib',
  '-ffreestanding',
  '-mgeneral-regs-only',
  '-mno-outline-atomics',
  '-fno-stack-protector',
  '-fno-pie',
  '-no-pie',
  '-std=gnu11',
  '-Wall',
  '-Wextra',
  '-Wl,--build-id=none',
  `-ffile-prefix-map=${ROOT}=.`,
];
// The runtime additionally must not have its loops turned into mem* calls.
const RUNTIME_FLAGS = ['-fno-builtin', '-fno-tree-loop-distribute-patterns'];
const RUNTIME_SOURCES = [
  'guest/lib/start.S',
  'guest/lib/sys.c',
  'guest/lib/string.c',
  'guest/lib/printf.c',
  'guest/lib/bits.c',
];
// Runtime sources linked from an archive (ahead of -lgcc), so they are only
// pulled in by programs that need them: replacements for libgcc helpers.
const RUNTIME_ARCHIVE_SOURCES = new Set(['guest/lib/bits.c']);
const INCLUDE = ['-Iguest/lib'];
const LINK_TAIL = ['-lgcc'];

const OPTS = ['O0', 'O2', 'Os'];
const ARCHES = [
  { tag: 'v80', march: 'armv8-a' },
  { tag: 'v81', march: 'armv8.1-a' },
];

// Per-program run parameters (argv[1..] and the guest environment). The
// defaults: no arguments, empty environment.
const RUN_META = {
  args: {
    args: ['alpha', 'beta gamma', '', '--flag=1', 'x'],
    env: { LANG: 'C', HOME: '/nonexistent', PATCHLAB: '1' },
  },
};
// Assembly tests that need more than armv8-a.
const ASM_ARCH = { lse: 'armv8.1-a', crc: 'armv8.1-a' };
// Flags for one C test's own source on every variant (the runtime is built without them).
const C_TEST_FLAGS = {
  outline: ['-moutline-atomics'],
  harden: ['-fstack-protector-strong', '-ftrapv'],
};
const BENCH = { name: 'callheavy', source: 'guest/bench/callheavy.c', patchable: 2 };
// Kernel-profile programs: freestanding, linked at the start of RAM.
const SMP_DIR = 'guest/smp';
const SMP_LIB_SOURCES = ['guest/smp/lib/start.S', 'guest/smp/lib/smp.c'];
// Freestanding code linked at a fixed address, with no libc and no run-time checks.
const FREESTANDING = [
  '-ffreestanding',
  '-nostdlib',
  '-static',
  '-mgeneral-regs-only',
  '-mno-outline-atomics',
  '-fno-stack-protector',
  '-fno-pie',
  '-no-pie',
];
const SMP_FLAGS = [
  '-O2',
  '-march=armv8.1-a',
  ...FREESTANDING,
  '-std=gnu11',
  '-Wall',
  '-Wextra',
  '-Wl,--build-id=none',
  '-DSMP_STACK_SHIFT=14',
  '-Iguest/smp/lib',
  `-ffile-prefix-map=${ROOT}=.`,
];
const SMP_LINK = ['-T', 'guest/smp/lib/smp.ld', '-lgcc'];
// The mini SMP kernel (guest/kernel/): one image per patchable-entry layout,
// from the same sources. -fpatchable-function-entry=2: NOP;NOP at every
// traced function's entry; =4,2: two more NOPs before the entry (room for a
// per-site literal; -falign-functions=8 puts that literal on a 64-bit boundary,
// as CALL_OPS needs).
const KERNEL_DIR = 'guest/kernel';
const KERNEL_IMAGES = [
  { name: 'kernel-pfe2', patchable: '2' },
  { name: 'kernel-pfe42', patchable: '4,2', extra: ['-falign-functions=8'] },
];
const KERNEL_FLAGS = [
  '-O2',
  '-march=armv8-a',
  ...FREESTANDING,
  '-fno-builtin',
  '-fno-tree-loop-distribute-patterns',
  '-std=gnu11',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-Wl,--build-id=none',
  `-ffile-prefix-map=${ROOT}=.`,
];
const KERNEL_LINK = ['-T', `${KERNEL_DIR}/kernel.ld`, '-lgcc'];

function rel(p) {
  return path.relative(ROOT, p).split(path.sep).join('/');
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function checkCompiler() {
  const r = spawnSync(CC, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.error(
      `build-guest: cannot run '${CC}'.\n` +
        'The guest programs need an AArch64 cross compiler; on Debian/Ubuntu:\n' +
        '  apt-get install gcc-aarch64-linux-gnu\n' +
        '(or set GUEST_CC to another aarch64 GCC).',
    );
    process.exit(1);
  }
  return r.stdout.split('\n')[0].trim();
}

function haveQemu() {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

// Runs commands with bounded parallelism.
async function runAll(jobs, limit) {
  let next = 0;
  const failures = [];
  async function worker() {
    while (next < jobs.length) {
      // A job may carry a follow-up command that runs only if it succeeds.
      for (let job = jobs[next++]; job; job = job.then) {
        const res = await run(job.cmd, job.args);
        if (res.code !== 0) {
          failures.push({ job, res });
          break;
        }
        if (res.stderr.trim()) process.stderr.write(res.stderr);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return failures;
}

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: String(e) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function listSources(dir, ext) {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => `${dir}/${f}`);
}

// Describes every ELF to build. Object and output paths are filled in later.
function plan() {
  const programs = [];
  for (const source of listSources('guest/tests', '.c')) {
    const test = path.basename(source, '.c');
    for (const arch of ARCHES) {
      for (const opt of OPTS) {
        programs.push({
          name: `${test}-${opt}-${arch.tag}`,
          kind: 'c',
          test,
          source,
          opt,
          arch: arch.march,
          extra: [],
          testFlags: C_TEST_FLAGS[test] ?? [],
          patchable: 0,
        });
      }
    }
  }
  for (const source of listSources('guest/tests', '.S')) {
    const test = path.basename(source, '.S');
    programs.push({
      name: test,
      kind: 'asm',
      test,
      source,
      opt: 'O2',
      arch: ASM_ARCH[test] ?? 'armv8-a',
      extra: [],
      patchable: 0,
    });
  }
  for (const source of [...listSources(SMP_DIR, '.c'), ...listSources(SMP_DIR, '.S')]) {
    const test = `smp-${path.basename(source).replace(/\.[cS]$/, '')}`;
    programs.push({ name: test, kind: 'smp', test, source, opt: 'O2', arch: 'armv8.1-a', extra: [], patchable: 0 });
  }
  for (const k of KERNEL_IMAGES) {
    programs.push({
      name: k.name,
      kind: 'kernel',
      test: k.name,
      source: KERNEL_DIR,
      opt: 'O2',
      arch: 'armv8-a',
      extra: [`-fpatchable-function-entry=${k.patchable}`, ...(k.extra ?? [])],
      patchable: k.patchable,
    });
  }
  programs.push({
    name: BENCH.name,
    kind: 'bench',
    test: BENCH.name,
    source: BENCH.source,
    opt: 'O2',
    arch: 'armv8-a',
    extra: [`-fpatchable-function-entry=${BENCH.patchable}`],
    patchable: BENCH.patchable,
  });
  return programs;
}

function configKey(p) {
  return [p.opt, p.arch, ...p.extra].join(' ');
}

function compileFlags(p) {
  if (p.kind === 'smp') return SMP_FLAGS;
  if (p.kind === 'kernel') return [...KERNEL_FLAGS, ...p.extra];
  return [...COMMON_FLAGS, `-${p.opt}`, `-march=${p.arch}`, ...p.extra];
}

function kernelSources() {
  return [...listSources(KERNEL_DIR, '.S'), ...listSources(KERNEL_DIR, '.c')];
}

async function buildInto(outDir, allPrograms) {
  const programs = allPrograms.filter((p) => p.kind !== 'smp' && p.kind !== 'kernel');
  await buildSmpInto(outDir, allPrograms.filter((p) => p.kind === 'smp'));
  await buildKernelInto(outDir, allPrograms.filter((p) => p.kind === 'kernel'));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'guest-obj-'));
  const limit = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    // 1. The runtime, once per distinct configuration.
    const configs = new Map();
    for (const p of programs) {
      const key = configKey(p);
      if (!configs.has(key)) configs.set(key, { dir: path.join(scratch, `rt${configs.size}`), p });
    }
    const rtJobs = [];
    for (const { dir, p } of configs.values()) {
      mkdirSync(dir, { recursive: true });
      for (const src of RUNTIME_SOURCES) {
        const obj = path.join(dir, path.basename(src).replace(/\.[cS]$/, '.o'));
        const defs = p.patchable ? [`-DPATCHABLE_ENTRY=${p.patchable}`] : [];
        rtJobs.push({
          cmd: CC,
          args: [...compileFlags(p), ...RUNTIME_FLAGS, ...INCLUDE, ...defs, '-c', src, '-o', obj],
        });
      }
    }
    let failures = await runAll(rtJobs, limit);
    if (failures.length) reportFailures(failures);
    // 'D': deterministic archive (no timestamps, uids or modes).
    const arJobs = [...configs.values()].map(({ dir }) => ({
      cmd: AR,
      args: [
        'rcD',
        path.join(dir, 'librt.a'),
        ...[...RUNTIME_ARCHIVE_SOURCES].map((s) => path.join(dir, path.basename(s).replace(/\.[cS]$/, '.o'))),
      ],
    }));
    failures = await runAll(arJobs, limit);
    if (failures.length) reportFailures(failures);

    // 2. Each program: its source compiled to an object with a fixed name (the
    //    assembler records the object's name for .S input, so a temporary
    //    name would make the output differ between runs), then linked with
    //    the runtime objects and libgcc.
    const progDir = path.join(scratch, 'prog');
    mkdirSync(progDir, { recursive: true });
    const jobs = programs.map((p) => {
      const rtDir = configs.get(configKey(p)).dir;
      const rtObjs = RUNTIME_SOURCES.filter((s) => !RUNTIME_ARCHIVE_SOURCES.has(s)).map((s) =>
        path.join(rtDir, path.basename(s).replace(/\.[cS]$/, '.o')),
      );

      const obj = path.join(progDir, `${p.name}.o`);
      const own = p.testFlags ?? [];
      return {
        cmd: CC,
        args: [...compileFlags(p), ...own, ...INCLUDE, '-c', p.source, '-o', obj],
        then: {
          cmd: CC,
          args: [
            ...compileFlags(p),
            ...own,
            '-o',
            `${outDir}/${p.name}.elf`,
            ...rtObjs,
            obj,
            path.join(rtDir, 'librt.a'), // after the objects that use it, before -lgcc
            ...LINK_TAIL,
          ],
        },
      };
    });
    failures = await runAll(jobs, limit);
    if (failures.length) reportFailures(failures);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The kernel-profile programs: the library once, then each program linked with it.
async function buildSmpInto(outDir, programs) {
  if (programs.length === 0) return;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'guest-smp-'));
  const limit = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    const libObjs = SMP_LIB_SOURCES.map((src) => path.join(scratch, `lib-${path.basename(src).replace(/\.[cS]$/, '.o')}`));
    let failures = await runAll(
      SMP_LIB_SOURCES.map((src, i) => ({ cmd: CC, args: [...SMP_FLAGS, '-c', src, '-o', libObjs[i]] })),
      limit,
    );
    if (failures.length) reportFailures(failures);
    const jobs = programs.map((p) => {
      const obj = path.join(scratch, `${p.name}.o`);
      return {
        cmd: CC,
        args: [...SMP_FLAGS, '-c', p.source, '-o', obj],
        then: { cmd: CC, args: [...SMP_FLAGS, '-o', `${outDir}/${p.name}.elf`, ...libObjs, obj, ...SMP_LINK] },
      };
    });
    failures = await runAll(jobs, limit);
    if (failures.length) reportFailures(failures);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The kernel images: every source compiled to an object with a fixed name
// (per image), then linked with the kernel's linker script.
async function buildKernelInto(outDir, programs) {
  if (programs.length === 0) return;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'guest-kernel-'));
  const limit = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    const sources = kernelSources();
    const compile = [];
    const links = [];
    for (const p of programs) {
      const dir = path.join(scratch, p.name);
      mkdirSync(dir, { recursive: true });
      const objs = sources.map((src) => path.join(dir, path.basename(src).replace(/\.([cS])$/, '.$1.o')));
      sources.forEach((src, i) => compile.push({ cmd: CC, args: [...compileFlags(p), '-c', src, '-o', objs[i]] }));
      links.push({ cmd: CC, args: [...compileFlags(p), '-o', `${outDir}/${p.name}.elf`, ...objs, ...KERNEL_LINK] });
    }
    let failures = await runAll(compile, limit);
    if (failures.length) reportFailures(failures);
    failures = await runAll(links, limit);
    if (failures.length) reportFailures(failures);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function reportFailures(failures) {
  for (const { job, res } of failures) {
    console.error(`build-guest: FAILED: ${job.cmd} ${job.args.join(' ')}\n${res.stderr}`);
  }
  process.exit(1);
}

function runQemu(elf, args, env) {
  const r = spawnSync(QEMU, ['-cpu', 'max', elf, ...args], {
    cwd: ROOT,
    env,
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout ?? Buffer.alloc(0), status: r.status, error: r.error, signal: r.signal };
}

function loadOldManifest() {
  const file = path.join(ROOT, OUT_DIR, 'manifest.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

async function main() {
  const compiler = checkCompiler();
  if (kernelInto !== null) {
    const dir = path.resolve(kernelInto);
    mkdirSync(dir, { recursive: true });
    const kernels = plan().filter((p) => p.kind === 'kernel');
    await buildKernelInto(dir, kernels);
    console.log(`build-guest: built ${kernels.map((p) => `${p.name}.elf`).join(', ')} into ${dir}`);
    return;
  }
  const programs = plan();
  const outAbs = path.join(ROOT, OUT_DIR);
  mkdirSync(outAbs, { recursive: true });

  // Remove ELFs that this build does not produce any more.
  const wanted = new Set(programs.map((p) => `${p.name}.elf`));
  for (const f of readdirSync(outAbs)) {
    if (f.endsWith('.elf') && !wanted.has(f)) rmSync(path.join(outAbs, f));
  }

  const t0 = Date.now();
  await buildInto(OUT_DIR, programs);
  console.log(`build-guest: built ${programs.length} ELFs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  if (argv.has('--check-repro')) {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'guest-repro-'));
    try {
      await buildInto(scratch, programs);
      const diff = programs.filter(
        (p) =>
          !readFileSync(path.join(scratch, `${p.name}.elf`)).equals(readFileSync(path.join(outAbs, `${p.name}.elf`))),
      );
      if (diff.length) {
        console.error(`build-guest: NOT reproducible: ${diff.map((p) => p.name).join(', ')}`);
        process.exit(1);
      }
      console.log(`build-guest: reproducible: second build is byte-identical (${programs.length} ELFs)`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  // Reference outputs.
  const old = loadOldManifest();
  const oldExpected = new Map((old?.programs ?? []).filter((p) => p.expected).map((p) => [p.test, p.expected]));
  const expected = new Map();
  const doRun = !argv.has('--no-run') && haveQemu();
  if (doRun) {
    mkdirSync(path.join(ROOT, EXPECTED_DIR), { recursive: true });
    let mismatches = 0;
    for (const p of programs) {
      if (p.kind === 'smp' || p.kind === 'kernel') continue; // kernel profile: not a Linux process
      const meta = RUN_META[p.test] ?? {};
      const r = runQemu(`${OUT_DIR}/${p.name}.elf`, meta.args ?? [], meta.env ?? {});
      if (r.error || r.signal || r.status === null) {
        console.error(`build-guest: ${p.name} did not exit normally under qemu (${r.error ?? r.signal})`);
        process.exit(1);
      }
      const prev = expected.get(p.test);
      if (!prev) {
        expected.set(p.test, { status: r.status, stdout: r.stdout, first: p.name });
      } else if (prev.status !== r.status || !prev.stdout.equals(r.stdout)) {
        console.error(
          `build-guest: ${p.name} differs from ${prev.first} (status ${r.status} vs ${prev.status}, ` +
            `${r.stdout.length} vs ${prev.stdout.length} bytes)`,
        );
        mismatches++;
      }
    }
    if (mismatches) process.exit(1);
    const keep = new Set();
    for (const [test, e] of expected) {
      const file = `${EXPECTED_DIR}/${test}.stdout`;
      writeFileSync(path.join(ROOT, file), e.stdout);
      keep.add(`${test}.stdout`);
    }
    for (const f of readdirSync(path.join(ROOT, EXPECTED_DIR))) {
      if (!keep.has(f)) rmSync(path.join(ROOT, EXPECTED_DIR, f));
    }
    const ran = programs.filter((p) => p.kind !== 'smp' && p.kind !== 'kernel').length;
    console.log(`build-guest: ran ${ran} ELFs under ${QEMU}; all variants agree`);
  } else {
    console.warn(
      `build-guest: not running the programs (${argv.has('--no-run') ? '--no-run' : `${QEMU} not found`}); ` +
        'keeping the reference outputs of the previous manifest',
    );
  }

  const entries = programs.map((p) => {
    const elf = `${OUT_DIR}/${p.name}.elf`;
    const bytes = readFileSync(path.join(ROOT, elf));
    const meta = RUN_META[p.test] ?? {};
    const entry = {
      name: p.name,
      kind: p.kind,
      test: p.test,
      elf,
      source: p.source,
      runtime:
        p.kind === 'smp'
          ? [...SMP_LIB_SOURCES, 'guest/smp/lib/smp.ld']
          : p.kind === 'kernel'
            ? [...kernelSources(), ...listSources(KERNEL_DIR, '.h'), `${KERNEL_DIR}/kernel.ld`]
            : RUNTIME_SOURCES,
      opt: `-${p.opt}`,
      arch: p.arch,
      flags: [
        ...compileFlags(p).filter((f) => !f.startsWith('-ffile-prefix-map=')),
        ...(p.testFlags ?? []),
        ...(p.kind === 'smp' ? SMP_LINK : p.kind === 'kernel' ? KERNEL_LINK : LINK_TAIL),
      ],
      args: meta.args ?? [],
      env: meta.env ?? {},
      size: bytes.length,
      sha256: sha256(bytes),
    };
    if (p.kind === 'bench') entry.optionalArgs = ['<iterations>'];
    if (p.patchable) entry.patchableFunctionEntry = p.patchable;
    const e = expected.get(p.test);
    if (e) {
      entry.expected = {
        status: e.status,
        stdout: `${EXPECTED_DIR}/${p.test}.stdout`,
        stdoutBytes: e.stdout.length,
        stdoutSha256: sha256(e.stdout),
      };
    } else if (oldExpected.has(p.test)) {
      entry.expected = oldExpected.get(p.test);
    }
    return entry;
  });
  const manifest = {
    version: 1,
    description: 'AArch64 guest programs for differential testing (paths are relative to the repository root)',
    compiler,
    runner: { qemu: `${QEMU} -cpu max`, argv0: 'the ELF path as listed in "elf"' },
    runtimeFlags: {
      extra: [...RUNTIME_FLAGS, ...INCLUDE],
      startPatchable: 'start.S gets -DPATCHABLE_ENTRY=N when the program uses -fpatchable-function-entry=N',
    },
    programs: entries,
  };
  writeFileSync(path.join(outAbs, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const total = entries.reduce((s, e) => s + e.size, 0);
  console.log(`build-guest: wrote ${OUT_DIR}/manifest.json (${entries.length} ELFs, ${(total / 1024).toFixed(0)} KiB)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
