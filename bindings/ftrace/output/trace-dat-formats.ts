// The text sections of a trace.dat file, as the kernel writes them under
// /sys/kernel/tracing: events/header_page, events/header_event and the
// format files of the ftrace events this writer emits (kernel/trace/
// trace_entries.h: FTRACE_ENTRY(function, ...), funcgraph_entry and
// funcgraph_exit). Field offsets are those of a 64-bit kernel; the records
// written by trace-dat.ts follow them byte for byte.

/** Bytes of one ring-buffer page (the kernel's PAGE_SIZE on arm64 with 4K pages). */
export const PAGE_SIZE = 4096;
/** struct buffer_data_page: u64 time_stamp, local_t commit, then data. */
export const PAGE_HEADER_SIZE = 16;
/** Bytes of event data one page holds. */
export const PAGE_DATA_SIZE = PAGE_SIZE - PAGE_HEADER_SIZE;

/** Event ids, as trace_entries.h numbers them (enum trace_type). */
export const TRACE_FN = 1;
export const TRACE_GRAPH_RET = 10;
export const TRACE_GRAPH_ENT = 11;

/** Bytes of each event's payload (struct trace_entry plus the event's fields). */
export const FUNCTION_SIZE = 24;
export const GRAPH_ENT_SIZE = 20;
export const GRAPH_RET_SIZE = 40;

/** events/header_page. */
export function headerPage(): string {
  return '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n'
    + '\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n'
    + '\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n'
    + `\tfield: char data;\toffset:16;\tsize:${PAGE_DATA_SIZE};\tsigned:1;\n`;
}

/** events/header_event. */
export function headerEvent(): string {
  return '# compressed entry header\n'
    + '\ttype_len    :    5 bits\n'
    + '\ttime_delta  :   27 bits\n'
    + '\tarray       :   32 bits\n'
    + '\n'
    + '\tpadding     : type == 29\n'
    + '\ttime_extend : type == 30\n'
    + '\ttime_stamp : type == 31\n'
    + '\tdata max type_len  == 28\n';
}

const COMMON_FIELDS = '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n'
  + '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n'
  + '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n'
  + '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n';

function eventFormat(name: string, id: number, fields: string, printFmt: string): string {
  return `name: ${name}\nID: ${id}\nformat:\n${COMMON_FIELDS}${fields}\nprint fmt: ${printFmt}\n`;
}

/** events/ftrace/function/format. */
export function functionFormat(): string {
  return eventFormat('function', TRACE_FN,
    '\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n'
    + '\tfield:unsigned long parent_ip;\toffset:16;\tsize:8;\tsigned:0;\n',
    '" %ps <-- %ps", (void *)REC->ip, (void *)REC->parent_ip');
}

/** events/ftrace/funcgraph_entry/format. */
export function graphEntryFormat(): string {
  return eventFormat('funcgraph_entry', TRACE_GRAPH_ENT,
    '\tfield:unsigned long func;\toffset:8;\tsize:8;\tsigned:0;\n'
    + '\tfield:int depth;\toffset:16;\tsize:4;\tsigned:1;\n',
    '"--> %ps (%d)", (void *)REC->func, REC->depth');
}

/** events/ftrace/funcgraph_exit/format. */
export function graphExitFormat(): string {
  return eventFormat('funcgraph_exit', TRACE_GRAPH_RET,
    '\tfield:unsigned long func;\toffset:8;\tsize:8;\tsigned:0;\n'
    + '\tfield:int depth;\toffset:16;\tsize:4;\tsigned:1;\n'
    + '\tfield:unsigned int overrun;\toffset:20;\tsize:4;\tsigned:0;\n'
    + '\tfield:unsigned long long calltime;\toffset:24;\tsize:8;\tsigned:0;\n'
    + '\tfield:unsigned long long rettime;\toffset:32;\tsize:8;\tsigned:0;\n',
    '"<-- %ps (%d) (start: %llx  end: %llx) over: %d", (void *)REC->func, REC->depth, REC->calltime, REC->rettime, REC->depth');
}
