package dev.sift.engine.backend.opencl;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.kernels.ScalarKernelOps;

import java.util.Locale;

/**
 * Builds and runs the SIFT kernels once on the OpenCL device a node would use, outside the node, and says whether
 * they run. For POCL this fills its kernel cache ({@code POCL_CACHE_DIR}): POCL links each kernel with the system
 * linker, which Elasticsearch's system call filter forbids inside the node, so a node on POCL needs the cache filled
 * first, by the user that runs the node and with the node's {@code POCL_CACHE_DIR}. GPU drivers compile in-process
 * and need none of this; there it is only a check.
 *
 * <pre>
 * POCL_CACHE_DIR=/var/cache/elasticsearch/pocl \
 *   $ES_HOME/jdk/bin/java -cp "$ES_HOME/plugins/elasticsearch-sift/*" dev.sift.engine.backend.opencl.OpenClWarmup [gpu|any]
 * </pre>
 *
 * The argument is {@code sift.gpu.device_type} (default {@code any}). Exits 0 when the kernels ran and matched the
 * CPU, 1 otherwise, with one line saying why.
 */
public final class OpenClWarmup {

    private OpenClWarmup() {}

    public static void main(String[] args) {
        OpenClDevice.Eligible eligible = args.length == 0 ? OpenClDevice.Eligible.ANY : OpenClDevice.Eligible.valueOf(args[0].toUpperCase(Locale.ROOT));
        OpenClDevice device;
        try {
            device = OpenClDevice.open(eligible);
        } catch (OpenClDevice.Unavailable e) {
            System.err.println("OpenClWarmup: no usable OpenCL device: " + e.getMessage());
            System.exit(1);
            return;
        }
        OpenClSelectionBackend backend = new OpenClSelectionBackend(
            device,
            new CpuSelectionBackend(ScalarKernelOps.INSTANCE),
            SelectionListener.NONE,
            0,
            device.info().globalMemoryBytes() / 2,
            0,
            1,
            r -> new Thread(r, "sift-opencl-warmup"),
            System.err::println,
            () -> {}
        );
        try {
            backend.warmUp();
            System.out.println(
                "OpenClWarmup: the SIFT kernels run on OpenCL device [" + device.info().name() + "] (" + device.info().platform() + ")"
                    + (device.isPocl() ? "; POCL's kernel cache is " + System.getenv().getOrDefault("POCL_CACHE_DIR", "its default") : "")
            );
        } catch (RuntimeException e) {
            System.err.println("OpenClWarmup: the SIFT kernels failed on OpenCL device [" + device.info().name() + "]: " + e.getMessage());
            backend.close();
            System.exit(1);
        }
        backend.close();
    }
}
