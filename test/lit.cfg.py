# -*- Python -*-
# lit configuration for the replica regression tests.

import os
import shutil
import subprocess

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "REPLICA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.replica_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.environment["FILECHECK_OPTS"] = (
    "-enable-var-scope --allow-unused-prefixes=false"
)

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# The MPI backend's transport selection: .ci/run runs the MPI integration
# tests once per transport by setting these.
llvm_config.with_system_environment(
    ["REPLICA_MPI_TRANSPORT", "REPLICA_MPI_VIRTUAL_NODE_SIZE",
     "REPLICA_MPI_REUSE_INPUTS"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.replica_tools_dir, append_path=True)

tool_dirs = [config.replica_tools_dir, config.llvm_tools_dir]
tools = [
    "replica-opt",
    "replica-run",
    "replica-capi-test",
    "mlir-opt",
    "mlir-runner",
    "mlir-translate",
    "llvm-nm",
    "llvm-readelf",
    ToolSubst("%python", config.python_executable, unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

config.substitutions.append(("%replica_src_root", config.replica_src_root))
config.substitutions.append(
    ("%replica_plugin",
     os.path.join(config.replica_obj_root, "lib", "ReplicaPlugin.so")))
config.substitutions.append(("%replica_obj_root", config.replica_obj_root))

# Runtime libraries of the JIT, as in mlir/test/lit.cfg.py.
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_c_runner_utils.so")))

# replica-run caches its calibration of the mpi transport: the tests keep
# theirs in the build tree, never in the user's home, and measure afresh
# once per np in each run of the suite.
calibration_cache = os.path.join(config.replica_obj_root, "test",
                                 "calibration-cache")
shutil.rmtree(calibration_cache, ignore_errors=True)
config.environment["REPLICA_CACHE_DIR"] = calibration_cache

# MPI integration tests run where the backend was built and mpirun exists.
if config.enable_mpi and lit.util.which("mpirun"):
    config.available_features.add("mpi")

# The PyTorch importer (python/replica_torch) runs under an interpreter that
# has torch: the build's Python, or else Debian's, where python3-torch puts it.
def python_with_torch():
    for python in (config.python_executable, "/usr/bin/python3"):
        if os.path.exists(python) and subprocess.run(
                [python, "-c", "import torch"], capture_output=True).returncode == 0:
            return python
    return None


torch_python = python_with_torch()
if torch_python:
    config.available_features.add("torch")
    config.substitutions.append(
        ("%torch_python", "env PYTHONPATH=%s %s" % (
            os.path.join(config.replica_src_root, "python"), torch_python)))

# In a sanitizer build (.ci/sanitize) replica's libraries need the sanitizer
# runtime in the process: the stock mlir-opt and external projects cannot
# load or link them.
if config.sanitize:
    config.available_features.add("sanitize")

# The nccl backend: `cuda` where it is built (its code is generated, compiled
# to sm_90 and linked), `cuda-gpu` where a GPU can run it, `cuda-gpus-N`
# where N can (one replica per GPU); the MPI integration tests run their
# programs on the nccl backend too where enough GPUs exist.
config.substitutions.append(
    ("%nccl_runtime_dir", os.path.join(config.replica_obj_root, "lib")))
config.substitutions.append(("%cuda_library_dir", config.cuda_library_dir))


def count_cuda_devices():
    import ctypes

    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)):
        return 0
    return count.value


if config.enable_cuda:
    config.available_features.add("cuda")
    devices = count_cuda_devices()
    if devices >= 1:
        config.available_features.add("cuda-gpu")
    for n in (2, 4):
        if devices >= n:
            config.available_features.add("cuda-gpus-%d" % n)
