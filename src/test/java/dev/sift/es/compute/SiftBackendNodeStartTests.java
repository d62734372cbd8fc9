package dev.sift.es.compute;

import dev.sift.es.SiftPlugin;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.MockNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.test.ESTestCase;

import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.sameInstance;

/**
 * A node refuses to start when {@code sift.backend} asks for what this machine cannot do, and says which setting
 * to change. (The working values start nodes in every ESSingleNodeTestCase of the plugin; a node on an OpenCL device
 * is started by the integration test OpenClNodeIT.)
 */
public class SiftBackendNodeStartTests extends ESTestCase {

    private Exception startNodeWith(String backend) {
        Settings settings = Settings.builder()
            .put(ClusterName.CLUSTER_NAME_SETTING.getKey(), "sift-backend-test")
            .put(Environment.PATH_HOME_SETTING.getKey(), createTempDir())
            .put(Node.NODE_NAME_SETTING.getKey(), "sift-backend-node")
            .put("transport.type", getTestTransportType())
            .put("sift.backend", backend)
            .build();
        SiftCompute before = SiftCompute.current();
        Exception e = expectThrows(Exception.class, () -> {
            try (MockNode node = new MockNode(settings, List.of(SiftPlugin.class, getTestTransportPlugin()))) {
                node.start();
            }
        });
        assertThat("a node that failed to start must not install its compute", SiftCompute.current(), sameInstance(before));
        return e;
    }

    public void testGpuWithoutAGpuStopsTheNodeNamingTheSetting() {
        assumeFalse("a GPU is present", BackendChoiceTests.gpuPresent());
        Exception e = startNodeWith("gpu");
        assertTrue(e.toString(), e instanceof IllegalArgumentException);
        assertThat(e.getMessage(), containsString("[sift.backend] is [gpu] and [sift.gpu.device_type] is [gpu] but no OpenCL device can run"));
        assertThat(e.getMessage(), containsString("set [sift.backend] to [auto] or [cpu]"));
    }

    public void testUnknownValueStopsTheNode() {
        Exception e = startNodeWith("cuda");
        assertTrue(e.toString(), e instanceof IllegalArgumentException);
        assertThat(e.getMessage(), containsString("unknown value [cuda] for setting [sift.backend], expected one of [auto, cpu, gpu]"));
    }
}
