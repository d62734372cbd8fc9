package dev.sift.es.compute;

import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.kernels.KernelOpsProvider;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

/** The node's compute: counters, the stats snapshot, its wire and JSON forms, and the holder. */
public class SiftComputeTests extends ESTestCase {

    public void testSnapshotBeforeAnySelection() {
        SiftCompute compute = SiftCompute.forNode(Settings.EMPTY);
        ComputeStats stats = compute.stats();
        assertThat(stats.requestedBackend(), equalTo("auto"));
        assertThat(stats.backend(), equalTo("cpu"));
        assertThat(stats.reason(), equalTo(compute.choice().reason()));
        assertThat(stats.kernels(), equalTo(KernelOpsProvider.get().ops().name()));
        assertThat(stats.kernelsReason(), equalTo(KernelOpsProvider.get().reason()));
        assertThat(stats.gpu(), nullValue()); // no GPU here: auto looks for GPUs and accelerators only
        // The chosen backend is listed with zeros before it ran anything.
        assertThat(stats.usage(), equalTo(Map.of("cpu", BackendUsage.NONE)));
    }

    public void testCountersAddUpAcrossThreads() throws Exception {
        SiftCompute compute = SiftCompute.forNode(Settings.builder().put("sift.backend", "cpu").build());
        int threads = between(2, 4);
        int perThread = between(1, 500);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    compute.listener().selected("cpu", 3, 7);
                }
            });
            thread.start();
            started.add(thread);
        }
        for (Thread thread : started) {
            thread.join();
        }
        compute.listener().selected("gpu", 100, 1_000_000);
        compute.listener().fellBack("gpu", "too_large");
        long n = (long) threads * perThread;
        ComputeStats stats = compute.stats();
        assertThat(stats.usageOf("cpu"), equalTo(new BackendUsage(n, 3 * n, 7 * n, 0)));
        assertThat(stats.usageOf("gpu"), equalTo(new BackendUsage(1, 100, 1_000_000, 1)));
        assertThat(stats.usageOf("tpu"), equalTo(BackendUsage.NONE));
    }

    public void testWireRoundTrip() throws IOException {
        ComputeStats original = new ComputeStats(
            randomFrom("auto", "cpu", "gpu"),
            randomFrom("cpu", "gpu"),
            randomAlphaOfLength(20),
            randomAlphaOfLength(8),
            randomAlphaOfLength(30),
            randomBoolean()
                ? null
                : new GpuStats(
                    new OpenClDevice.Info(
                        randomAlphaOfLength(5),
                        randomAlphaOfLength(10),
                        randomAlphaOfLength(6),
                        randomFrom("gpu", "accelerator", "cpu"),
                        randomAlphaOfLength(12),
                        randomAlphaOfLength(4),
                        randomNonNegativeLong(),
                        randomNonNegativeLong()
                    ),
                    randomNonNegativeLong(),
                    randomNonNegativeLong(),
                    randomNonNegativeLong(),
                    randomNonNegativeLong()
                ),
            Map.of(
                "cpu",
                new BackendUsage(randomNonNegativeLong(), randomNonNegativeLong(), randomNonNegativeLong(), randomNonNegativeLong())
            )
        );
        ComputeStats copy = copyWriteable(original, new NamedWriteableRegistry(List.of()), ComputeStats::new);
        assertThat(copy, equalTo(original));
    }

    @SuppressWarnings("unchecked")
    public void testJson() throws IOException {
        SiftCompute compute = SiftCompute.forNode(Settings.EMPTY);
        compute.listener().selected("cpu", 40, 3_000_000);
        XContentBuilder builder = XContentFactory.jsonBuilder().startObject();
        compute.stats().toXContent(builder, ToXContent.EMPTY_PARAMS);
        builder.endObject();
        Map<String, Object> json = XContentHelper.convertToMap(XContentType.JSON.xContent(), Strings.toString(builder), false);
        assertThat(json.get("requested_backend"), equalTo("auto"));
        assertThat(json.get("backend"), equalTo("cpu"));
        assertThat(json.get("reason"), equalTo(compute.choice().reason()));
        assertThat(json, hasKey("gpu"));
        assertThat(json.get("gpu"), nullValue());
        Map<String, Object> vectorization = (Map<String, Object>) json.get("vectorization");
        assertThat(vectorization.get("kernels"), equalTo(KernelOpsProvider.get().ops().name()));
        assertThat(vectorization.get("reason"), equalTo(KernelOpsProvider.get().reason()));
        Map<String, Object> cpu = (Map<String, Object>) ((Map<String, Object>) json.get("selections")).get("cpu");
        assertThat(cpu, equalTo(Map.of("selections", 1, "candidates", 40, "time_in_nanos", 3_000_000, "time_in_millis", 3, "fallbacks", 0)));
    }

    public void testHolder() {
        SiftCompute outside = SiftCompute.current();
        SiftCompute node = SiftCompute.forNode(Settings.EMPTY);
        SiftCompute.install(node);
        try {
            assertThat(SiftCompute.current(), sameInstance(node));
            SiftCompute.uninstall(SiftCompute.forNode(Settings.EMPTY)); // another node closing leaves it alone
            assertThat(SiftCompute.current(), sameInstance(node));
        } finally {
            SiftCompute.uninstall(node);
        }
        assertThat(SiftCompute.current(), sameInstance(outside));
    }
}
