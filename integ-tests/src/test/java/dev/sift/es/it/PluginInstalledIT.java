package dev.sift.es.it;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** The node runs with the freshly built plugin loaded. */
public class PluginInstalledIT extends SiftNodeTestCase {

    @Test
    public void catPluginsListsSift() {
        EsClient.Response r = assertStatus(200, client.get("/_cat/plugins?h=component,version"));
        assertTrue("_cat/plugins: " + r.body, r.body.lines().anyMatch(l -> l.trim().startsWith("sift ")));
    }

    @Test
    public void nodeInfoShowsPlugin() {
        EsClient.Response r = assertStatus(200, client.get("/_nodes/plugins"));
        Map<String, Object> nodes = r.at("nodes");
        assertNotNull(r.body, nodes);
        assertFalse(nodes.isEmpty());
        for (Object node : nodes.values()) {
            List<Map<String, Object>> plugins = Json.at(node, "plugins");
            Map<String, Object> sift = plugins.stream().filter(p -> "sift".equals(p.get("name"))).findFirst().orElse(null);
            assertNotNull("sift not in " + plugins, sift);
            assertEquals("dev.sift.es.SiftPlugin", sift.get("classname"));
            String version = Json.at(node, "version");
            assertEquals(version, sift.get("elasticsearch_version"));
        }
    }

    @Test
    public void clusterIsHealthy() {
        EsClient.Response r = assertStatus(200, client.get("/_cluster/health"));
        String status = r.at("status");
        assertTrue(r.body, "green".equals(status) || "yellow".equals(status));
    }
}
