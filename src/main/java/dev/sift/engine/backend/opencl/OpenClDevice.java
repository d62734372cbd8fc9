package dev.sift.engine.backend.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenCL device with double precision, its context, one in-order command queue and the SIFT kernels
 * ({@code sift.cl}) built for it. Found with {@link #open}, which says in its exception why no device could be used.
 *
 * <p>Not thread-safe: kernels carry their arguments, so one thread at a time (the backend's dispatcher) drives it.
 * Buffers are made and released through it, which counts those alive ({@link #liveBuffers()}).
 */
public final class OpenClDevice implements AutoCloseable {

    /** Which devices may be used: {@code sift.gpu.device_type}. */
    public enum Eligible {
        /** GPUs and accelerators. */
        GPU,
        /** Any device, CPU OpenCL implementations such as POCL included: for tests and trying the backend. */
        ANY;

        long clType() {
            return this == GPU ? CL.CL_DEVICE_TYPE_GPU | CL.CL_DEVICE_TYPE_ACCELERATOR : CL.CL_DEVICE_TYPE_ALL;
        }
    }

    /** What the device is, for logs and stats. */
    public record Info(
        String platform,
        String name,
        String vendor,
        String type,
        String openClVersion,
        String driverVersion,
        long globalMemoryBytes,
        long maxAllocationBytes
    ) {}

    /** Why no device could be used: no OpenCL library, no platform, no eligible device, or kernels that fail. */
    public static final class Unavailable extends Exception {
        private final boolean deviceFound;

        Unavailable(String message, Throwable cause) {
            this(message, cause, false);
        }

        Unavailable(String message, Throwable cause, boolean deviceFound) {
            super(message, cause);
            this.deviceFound = deviceFound;
        }

        /** Whether an eligible device was found, and it was its kernels that failed. */
        public boolean deviceFound() {
            return deviceFound;
        }
    }

    private final Info info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    final cl_kernel transpose;
    final cl_kernel init;
    final cl_kernel pick;
    final cl_kernel update;
    /** Work-group size of {@code pick} (a power of two) and of the one-item-per-candidate kernels. */
    final int pickGroupSize;
    final int itemGroupSize;
    private final AtomicInteger liveBuffers = new AtomicInteger();

    private OpenClDevice(cl_device_id device, Info info) {
        this.info = info;
        this.context = CL.clCreateContext(null, 1, new cl_device_id[] { device }, null, null, null);
        cl_command_queue q = null;
        cl_program p = null;
        try {
            q = CL.clCreateCommandQueue(context, device, 0, null);
            p = CL.clCreateProgramWithSource(context, 1, new String[] { kernelSource() }, null, null);
            build(p, device);
            this.queue = q;
            this.program = p;
            this.transpose = CL.clCreateKernel(p, "transpose", null);
            this.init = CL.clCreateKernel(p, "init", null);
            this.pick = CL.clCreateKernel(p, "pick", null);
            this.update = CL.clCreateKernel(p, "update", null);
        } catch (RuntimeException e) {
            if (p != null) {
                CL.clReleaseProgram(p);
            }
            if (q != null) {
                CL.clReleaseCommandQueue(q);
            }
            CL.clReleaseContext(context);
            throw e;
        }
        this.pickGroupSize = Integer.highestOneBit((int) Math.min(256, kernelGroupSize(pick, device)));
        this.itemGroupSize = (int) Math.min(64, kernelGroupSize(update, device));
    }

    /**
     * The first device of the given kind with double precision, GPUs before accelerators and CPUs, then the one
     * with the most memory; its kernels built.
     *
     * @throws Unavailable saying why none can be used
     */
    public static OpenClDevice open(Eligible eligible) throws Unavailable {
        List<cl_device_id> candidates = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try {
            CL.setExceptionsEnabled(true); // the first call: loads the native library
            int[] count = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, count);
            } catch (CLException e) {
                if (e.getStatus() == CL.CL_PLATFORM_NOT_FOUND_KHR) {
                    count[0] = 0;
                } else {
                    throw e;
                }
            }
            if (count[0] == 0) {
                throw new Unavailable(
                    "no OpenCL platform is installed (the ICD loader found no driver under /etc/OpenCL/vendors or $OCL_ICD_VENDORS)",
                    null
                );
            }
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            for (cl_platform_id platform : platforms) {
                int[] devices = new int[1];
                try {
                    CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, devices);
                } catch (CLException e) { // e.g. POCL without a writable kernel cache (POCL_CACHE_DIR)
                    seen.add("platform [" + platformName(platform) + "]: " + e.getMessage());
                    continue;
                }
                cl_device_id[] ids = new cl_device_id[devices[0]];
                CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (cl_device_id id : ids) {
                    long type = longInfo(id, CL.CL_DEVICE_TYPE);
                    boolean fp64 = longInfo(id, CL.CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
                    seen.add(stringInfo(id, CL.CL_DEVICE_NAME) + " (" + typeName(type) + (fp64 ? "" : ", no fp64") + ")");
                    if ((type & eligible.clType()) != 0 && fp64) {
                        candidates.add(id);
                    }
                }
            }
        } catch (Unavailable e) {
            throw e;
        } catch (Throwable t) { // UnsatisfiedLinkError without libOpenCL, CLException from a broken driver
            throw new Unavailable("OpenCL could not be loaded: " + t, t);
        }
        if (candidates.isEmpty()) {
            throw new Unavailable(
                "no OpenCL device "
                    + (eligible == Eligible.GPU ? "of type GPU or accelerator " : "")
                    + "with double precision (cl_khr_fp64) was found; devices seen: "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen)),
                null
            );
        }
        candidates.sort((a, b) -> {
            int byType = Integer.compare(typeRank(longInfo(a, CL.CL_DEVICE_TYPE)), typeRank(longInfo(b, CL.CL_DEVICE_TYPE)));
            return byType != 0 ? byType : Long.compare(longInfo(b, CL.CL_DEVICE_GLOBAL_MEM_SIZE), longInfo(a, CL.CL_DEVICE_GLOBAL_MEM_SIZE));
        });
        cl_device_id id = candidates.get(0);
        Info info = new Info(
            platformName(id),
            stringInfo(id, CL.CL_DEVICE_NAME),
            stringInfo(id, CL.CL_DEVICE_VENDOR),
            typeName(longInfo(id, CL.CL_DEVICE_TYPE)),
            stringInfo(id, CL.CL_DEVICE_VERSION),
            stringInfo(id, CL.CL_DRIVER_VERSION),
            longInfo(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE),
            longInfo(id, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE)
        );
        try {
            return new OpenClDevice(id, info);
        } catch (Throwable t) {
            throw new Unavailable("the SIFT kernels could not be built for OpenCL device [" + info.name() + "]: " + t.getMessage(), t, true);
        }
    }

    public Info info() {
        return info;
    }

    /** Buffers made and not yet released. */
    public int liveBuffers() {
        return liveBuffers.get();
    }

    cl_mem buffer(long bytes) {
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Math.max(1, bytes), null, null);
        liveBuffers.incrementAndGet();
        return mem;
    }

    cl_mem buffer(long[] values) {
        return upload(Pointer.to(values), (long) values.length * Sizeof.cl_long);
    }

    cl_mem buffer(int[] values) {
        return upload(Pointer.to(values), (long) values.length * Sizeof.cl_int);
    }

    cl_mem buffer(double[] values) {
        return upload(Pointer.to(values), (long) values.length * Sizeof.cl_double);
    }

    cl_mem buffer(float[] values) {
        return upload(Pointer.to(values), (long) values.length * Sizeof.cl_float);
    }

    private cl_mem upload(Pointer values, long bytes) {
        cl_mem mem = buffer(bytes);
        if (bytes > 0) {
            try {
                CL.clEnqueueWriteBuffer(queue, mem, CL.CL_TRUE, 0, bytes, values, 0, null, null);
            } catch (RuntimeException e) {
                release(mem);
                throw e;
            }
        }
        return mem;
    }

    void write(cl_mem mem, long offsetBytes, int[] values) {
        CL.clEnqueueWriteBuffer(queue, mem, CL.CL_TRUE, offsetBytes, (long) values.length * Sizeof.cl_int, Pointer.to(values), 0, null, null);
    }

    void read(cl_mem mem, int[] into) {
        CL.clEnqueueReadBuffer(queue, mem, CL.CL_TRUE, 0, (long) into.length * Sizeof.cl_int, Pointer.to(into), 0, null, null);
    }

    void read(cl_mem mem, double[] into) {
        CL.clEnqueueReadBuffer(queue, mem, CL.CL_TRUE, 0, (long) into.length * Sizeof.cl_double, Pointer.to(into), 0, null, null);
    }

    void release(cl_mem mem) {
        if (mem != null) {
            CL.clReleaseMemObject(mem);
            liveBuffers.decrementAndGet();
        }
    }

    /** Enqueues {@code kernel} over {@code items} work items (rounded up to whole groups of {@code groupSize}). */
    void run(cl_kernel kernel, long items, int groupSize) {
        long global = (items + groupSize - 1) / groupSize * groupSize;
        CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] { global }, new long[] { groupSize }, 0, null, null);
    }

    /** Sets the kernel's arguments from {@code first} on, in order: buffers, {@code int}s and {@code long}s. */
    static void args(cl_kernel kernel, int first, Object... values) {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof cl_mem mem) {
                arg(kernel, first + i, mem);
            } else if (v instanceof Integer n) {
                arg(kernel, first + i, n.intValue());
            } else if (v instanceof Long n) {
                arg(kernel, first + i, n.longValue());
            } else {
                throw new IllegalArgumentException("not a kernel argument: " + v);
            }
        }
    }

    static void arg(cl_kernel kernel, int index, cl_mem mem) {
        CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(mem));
    }

    static void arg(cl_kernel kernel, int index, int value) {
        CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] { value }));
    }

    static void arg(cl_kernel kernel, int index, long value) {
        CL.clSetKernelArg(kernel, index, Sizeof.cl_long, Pointer.to(new long[] { value }));
    }

    static void localArg(cl_kernel kernel, int index, long bytes) {
        CL.clSetKernelArg(kernel, index, bytes, null);
    }

    @Override
    public void close() {
        for (cl_kernel k : new cl_kernel[] { transpose, init, pick, update }) {
            CL.clReleaseKernel(k);
        }
        CL.clReleaseProgram(program);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }

    private static void build(cl_program program, cl_device_id device) {
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] { device }, null, null, null);
        } catch (CLException e) {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] log = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            throw new IllegalStateException(e.getMessage() + ": " + new String(log, StandardCharsets.UTF_8).trim(), e);
        }
    }

    static String kernelSource() {
        try (InputStream in = OpenClDevice.class.getResourceAsStream("sift.cl")) {
            if (in == null) {
                throw new IllegalStateException("sift.cl is missing from the plugin jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long kernelGroupSize(cl_kernel kernel, cl_device_id device) {
        long[] size = new long[1];
        CL.clGetKernelWorkGroupInfo(kernel, device, CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(size), null);
        return Math.max(1, size[0]);
    }

    private static long longInfo(cl_device_id device, int param) {
        long[] value = new long[1];
        CL.clGetDeviceInfo(device, param, Sizeof.cl_ulong, Pointer.to(value), null);
        return value[0];
    }

    private static String stringInfo(cl_device_id device, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null);
        return new String(bytes, StandardCharsets.UTF_8).replace("\0", "").trim();
    }

    private static String platformName(cl_device_id device) {
        cl_platform_id[] platform = new cl_platform_id[1];
        CL.clGetDeviceInfo(device, CL.CL_DEVICE_PLATFORM, Sizeof.cl_platform_id, Pointer.to(platform), null);
        return platformName(platform[0]);
    }

    private static String platformName(cl_platform_id platform) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, bytes.length, Pointer.to(bytes), null);
        return new String(bytes, StandardCharsets.UTF_8).replace("\0", "").trim();
    }

    /** Whether this is POCL, whose kernels are linked by running the system linker. */
    public boolean isPocl() {
        return info.platform().contains("Portable Computing Language");
    }

    private static String typeName(long type) {
        if ((type & CL.CL_DEVICE_TYPE_GPU) != 0) {
            return "gpu";
        }
        if ((type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return "accelerator";
        }
        if ((type & CL.CL_DEVICE_TYPE_CPU) != 0) {
            return "cpu";
        }
        return String.format(Locale.ROOT, "type 0x%x", type);
    }

    private static int typeRank(long type) {
        return (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? 0 : (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? 1 : 2;
    }
}
