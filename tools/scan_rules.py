"""The static scan's rules: which modules, attributes, library paths and strings a kernel has no use for.

Data only; `kopt.tools.scan` walks a candidate's source with it. Each group says why it is there.
"""
from __future__ import annotations

import re

ALLOWED_IMPORTS = {
    "torch", "triton", "math", "typing", "typing_extensions", "functools", "itertools", "operator",
    "collections", "dataclasses", "enum", "abc", "numbers", "__future__", "numpy", "einops",
}
# Modules a kernel never needs. Found as imports, attributes (`torch.os`, `collections._sys`) and as
# tokens of any string ("sys", "__main__" via dunders): none of them is an English word.
MODULES = {
    "os", "sys", "subprocess", "ctypes", "cffi", "gc", "builtins", "importlib", "_thread", "multiprocessing",
    "asyncio", "pickle", "marshal", "shutil", "pathlib", "tempfile", "mmap", "weakref", "codeop", "runpy",
    "atexit", "faulthandler", "pty", "pydoc", "urllib", "posix", "_posixsubprocess", "zipimport",
    "linecache", "sysconfig", "ctypeslib", "_C",
}
# Modules named by English words or ordinary tensor/module methods (`x.select`, `self.modules()`), and
# kopt itself (error messages may name it): forbidden as imports; in strings only as a whole string or
# part of a dotted path ("time.perf_counter", never "select the rows"); as attributes unless ORDINARY.
WORD_MODULES = {
    "kopt", "inspect", "signal", "resource", "socket", "threading", "concurrent", "distributed", "hub", "requests",
    "http", "logging", "warnings", "traceback", "tokenize", "dis", "select", "modules", "io", "code", "time",
    "types", "overrides",
}
ORDINARY = {"select", "modules", "io", "code", "time", "types", "overrides"}
# Interpreter internals and library entry points to native code, modes, hooks and clocks; found as
# attributes, getattr names and string tokens.
INTERNALS = {
    "f_back", "f_locals", "f_globals", "f_builtins", "f_code", "f_trace", "f_lasti", "gi_frame", "gi_code",
    "cr_frame", "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts", "co_names",
    "_getframe", "getframe", "currentframe", "_current_frames", "settrace", "setprofile", "gettrace",
    "addaudithook", "environ", "getenv", "putenv",
    "eval_frame", "set_eval_frame", "convert_frame",        # torch._dynamo's frame-evaluation hook
    "cpp_extension", "load_inline", "load_library", "import_module", "cudart", "jiterator",
    "CUDAPluggableAllocator", "change_current_allocator",   # native code, compiled or loaded
    "py_impl", "py_kernels", "_python_dispatch", "TorchDispatchMode", "TorchFunctionMode",
    "BaseTorchFunctionMode", "FakeTensorMode", "_make_subclass", "_make_wrapper_subclass",
    "get_type_hints", "ForwardRef", "_eval_type",           # evaluate strings as code
    "FunctionType", "CodeType", "FrameType", "TracebackType", "CellType",
    "elapsed_time", "globaltimer", "_sleep",                # clocks tell the timed calls from the checked
    "fork", "_fork", "tofile", "from_file",
    # Where an input's memory lives (the judge's are in shared memory): a kernel has no use for it.
    "is_shared", "share_memory_", "_share_fd_cpu_", "_share_filename_cpu_", "_is_shared",
}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "open", "dir",
                   "breakpoint", "input", "exit", "quit", "help", "delattr"}
REFLECT = ("getattr", "hasattr", "setattr", "delattr")
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__call__", "__future__", "__file__", "__all__",
                   "__version__", "__slots__"}
# Methods the interpreter or a library calls behind the candidate's back: modes see every op in the
# process (the judge's own included), finalizers run inside the judge's code, the rest override
# isinstance, subclass creation, numpy/dlpack conversion and pickling.
HOOK_DUNDERS = {
    "__torch_function__", "__torch_dispatch__", "__del__", "__instancecheck__", "__subclasscheck__",
    "__init_subclass__", "__set_name__", "__getattribute__", "__class_getitem__", "__mro_entries__",
    "__prepare__", "__array__", "__array_function__", "__array_ufunc__", "__array_wrap__",
    "__cuda_array_interface__", "__array_interface__", "__dlpack__", "__reduce__", "__reduce_ex__",
    "__setstate__",
}
DEVICE_ATTRS = {"is_cuda", "is_cpu", "is_meta", "is_mps", "is_xpu", "is_xla", "is_hpu", "is_ipu",
                "is_vulkan", "is_mtia", "JITFunction", "InterpretedFunction", "interpreter", "device_caches"}
# Strings that tell the Triton interpreter from a GPU: its switch and its kernel type's name.
DEVICE_TOKENS = {"TRITON_INTERPRET", "InterpretedFunction", "JITFunction"}
DEVICE_NS = ("torch.cuda", "torch.backends.cuda", "torch.backends.cudnn", "torch.backends.mps", "torch.mps",
             "torch.xpu", "torch.version", "torch.accelerator", "torch.device", "torch.get_default_device")
DEVICE_PROBES = {"is_available", "device_count", "is_initialized", "is_built", "is_bf16_supported"}
# Under DEVICE_NS, what answers a question about the device (a stream or a graph object is no answer).
DEVICE_QUERY = re.compile(r"(is_|get_|current_device|device|mem_get_info|memory_|max_memory|utilization|"
                          r"temperature|power_draw|clock_rate|cuda$|hip$|version|enabled)")
# Library paths by prefix, each with why a kernel must not reach it. Decided per item:
FORBIDDEN_PATHS = {
    # Modes and dispatch internals see (and can rewrite) every op the worker runs, the judge's reads too.
    "torch.overrides": "which installs torch-function modes", "torch.utils._python_dispatch": "a dispatch mode",
    "torch.utils._mode_utils": "a mode stack", "torch.utils._device": "a torch-function mode",
    "torch._subclasses": "fake tensors and their dispatch mode", "torch._ops": "dispatcher internals",
    "torch._dispatch": "dispatcher internals", "torch._python_dispatcher": "dispatcher internals",
    "torch._library": "operator registration internals", "torch._higher_order_ops": "dispatcher internals",
    # Work that outlives the call: a native thread, or a side stream the judge's events do not wait on.
    "torch.jit.fork": "a native thread", "torch.jit._fork": "a native thread",
    "torch.cuda.Stream": "a side stream", "torch.cuda.stream": "a side stream",
    "torch.cuda.set_stream": "a side stream", "torch.cuda.ExternalStream": "a side stream",
    # Native code, compiled or loaded at run time (it can rewrite the process), and raw memory.
    "torch.utils.cpp_extension": "native code", "torch.cuda.jiterator": "CUDA source compiled at run time",
    "torch.cuda.cudart": "the raw CUDA runtime", "torch._inductor.codecache": "native code",
    "torch._inductor.cpp_builder": "native code", "torch._inductor.async_compile": "compile subprocesses",
    "torch._dynamo.eval_frame": "the frame-evaluation hook", "torch._dynamo.convert_frame": "frame hooks",
    "numpy.ctypeslib": "raw pointers", "numpy.lib": "unchecked strided views of raw memory",
    "numpy.f2py": "native code", "numpy.distutils": "native code", "numpy.core": "numpy internals",
    "numpy._core": "numpy internals", "triton.runtime": "the driver and launcher internals",
    "triton.compiler": "the compiler internals", "triton.compile": "the compiler internals",
    "triton.backends": "driver internals", "triton.tools": "compiler tools", "triton.knobs": "global knobs",
    # Files, processes and the network: state that survives a check, or a way out of it.
    "torch.load": "file I/O", "torch.save": "file I/O", "torch.from_file": "file I/O",
    "torch.package": "code loaded from archives", "torch.utils.data": "worker processes",
    "torch.utils.tensorboard": "file I/O", "torch.utils.collect_env": "subprocesses",
    "torch.utils.model_zoo": "the network", "torch.onnx": "file I/O", "numpy.load": "file I/O",
    "numpy.save": "file I/O", "numpy.savez": "file I/O", "numpy.fromfile": "file I/O", "numpy.memmap": "file I/O",
    "numpy.loadtxt": "file I/O", "numpy.savetxt": "file I/O", "numpy.genfromtxt": "file I/O",
    "numpy.seterrcall": "a process-wide callback",
    # Clocks and profilers: how a candidate tells the timed loop from the checked calls.
    "torch.profiler": "a clock", "torch.autograd.profiler": "a clock", "torch.utils.benchmark": "a clock",
    "triton.testing": "a clock",
    # What tells the judge's worker from a user's process (one intra-op thread, a seeded RNG): a kernel's
    # result must not depend on where it runs.
    "torch.get_num_threads": "the thread count, which tells the judge's worker from a user's process",
    "torch.get_num_interop_threads": "the thread count, which tells the judge's worker from a user's process",
    "torch.initial_seed": "the RNG's seed, which tells a seeded harness from a user's process",
    "torch.random.initial_seed": "the RNG's seed, which tells a seeded harness from a user's process",
    # Callbacks that run later, inside the judge's code, and global defaults the worker's code runs under.
    "torch.utils.weak": "weak references whose callbacks run inside the judge's code",
    "torch.set_default_device": "a global default (a torch-function mode)",
    "torch.set_default_dtype": "a global default", "torch.set_default_tensor_type": "a global default",
}
# Read-only device queries from Triton's tutorials (they fail on a CPU-only machine, never cheat).
ALLOWED_PATHS = {
    "triton.runtime.driver.active.get_active_torch_device", "triton.runtime.driver.active.get_current_target",
    "triton.runtime.driver.active.get_current_device", "triton.runtime.driver.active.utils.get_device_properties",
}
# torch.library: a candidate may define and implement ops in its own namespace (custom_op, triton_op);
# implementing an op of torch's namespaces changes what every caller's tensors compute, the judge's too.
LIBRARY_REGISTRATIONS = {"impl", "register_kernel", "register_fake", "register_autograd", "register_vmap",
                         "register_torch_dispatch", "impl_abstract", "custom_op", "triton_op", "define",
                         "Library", "fallthrough_kernel"}
TORCH_NAMESPACES = {"aten", "prims", "prim", "quantized", "quantized_decomposed", "c10d", "c10d_functional",
                    "profiler", "inductor", "mkldnn", "onednn", "mkl", "xnnpack", "cuda", "cudnn", "rngprims",
                    "higher_order", "debugprims", "fbgemm", "torchvision", "vision", "triton", "sparse",
                    "nested", "torch", "cpu", "attr"}
# Library calls that hand back one of their arguments (so an alias survives them).
PASS_THROUGH = ("functools", "operator", "typing", "itertools", "collections", "torch.jit.annotate")
STR_TESTS = {"startswith", "endswith", "find", "rfind", "index", "rindex", "count", "split", "partition",
             "removeprefix", "removesuffix", "get", "__contains__"}
# Methods that reach an attribute or method by a string (FX graph building): the name must be literal.
NAMED_CALLS = {"call_method": 0, "get_attr": 0, "create_node": 1}
SELF = {"self", "cls", "ctx"}
TOKEN = re.compile(r"[^\W\d]\w*")
DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)+")
# Writing these only changes numerics flags (the tolerance check still applies); only constants.
FLAG_PREFIXES = ("torch.backends.",)
# Builtins that hand back (an element of) their arguments.
BUILTIN_PASS = {"next", "iter", "max", "min", "sorted", "reversed", "list", "tuple", "dict", "set", "frozenset",
                "filter", "map", "zip", "enumerate"}
# Container methods that hand back an element of the container.
ELEMENT_METHODS = {"pop", "get", "copy", "setdefault", "popitem", "values", "items", "__getitem__"}
STORE_METHODS = {"append", "extend", "insert", "add", "update", "setdefault"}


def forbidden_attr(name: str) -> bool:
    """An attribute (or getattr name) that reaches a forbidden module or an interpreter internal.

    `_sys`, `_os`: the private aliases modules keep (`collections._sys`). `register_module_*`: torch's
    process-wide module hooks, which run in every Module call in the process, the worker's included.
    """
    return (name in INTERNALS or name in MODULES or (name in WORD_MODULES and name not in ORDINARY)
            or (name.startswith("_") and name.lstrip("_") in MODULES) or name.startswith("register_module_"))


def forbidden_token(tok: str) -> bool:
    """A token of a string constant that names a forbidden module, dunder or interpreter internal."""
    return ((len(tok) > 4 and tok.startswith("__") and tok.endswith("__") and tok not in ALLOWED_DUNDERS)
            or tok in MODULES or tok in INTERNALS or (tok.startswith("_") and tok.lstrip("_") in MODULES))
