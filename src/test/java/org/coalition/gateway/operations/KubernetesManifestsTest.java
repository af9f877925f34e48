package org.coalition.gateway.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Renders every overlay under {@code k8s/overlays} with {@code kubectl kustomize} and checks what would be applied:
 * replicas and spreading, hardened containers, probes, Flyway in an init container only, secrets by reference only,
 * the network policy, the partner contracts ConfigMap, and the CloudNativePG cluster and its backups.
 * A plain unit test: it starts neither the gateway nor a cluster; without kubectl on the PATH it is skipped.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path CONTRACTS = ROOT.resolve("partner-contracts");
    private static final Path CONTRACTS_COPY = ROOT.resolve("k8s/base/partner-contracts");
    private static final String KUBECTL = System.getProperty("kubectl", Objects.requireNonNullElse(System.getenv("KUBECTL"), "kubectl"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    private static final String GATEWAY = "coalition-gateway";
    private static final String CONTRACTS_MOUNT = "/deployments/partner-contracts";
    /** Connections a replica may hold besides its reactive pool, and what the database keeps for itself. */
    private static final int CONNECTION_HEADROOM = 20;
    private static final Pattern SENSITIVE = Pattern.compile("PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY");

    // ------------------------------------------------------------------------------------------------ the gateway

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void theGatewayRunsReplicatedAndSpreadOverNodes(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        int replicas = deployment.getSpec().getReplicas();
        assertTrue(replicas >= 2, overlay + ": at least two replicas, found " + replicas);
        if (overlay.equals("prod")) {
            assertEquals(3, replicas, "prod runs three replicas");
        }
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        boolean spreadOverNodes = pod.getTopologySpreadConstraints().stream()
                .anyMatch(c -> "kubernetes.io/hostname".equals(c.getTopologyKey()) && selects(c.getLabelSelector(), podLabels(deployment)));
        boolean antiAffinity = pod.getAffinity() != null && pod.getAffinity().getPodAntiAffinity() != null;
        assertTrue(spreadOverNodes || antiAffinity, overlay + ": replicas are spread over nodes");
        assertEquals(0, maxUnavailable(deployment), overlay + ": a rollout never takes a ready pod away first");
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void everyContainerIsSizedAndHardened(String overlay) {
        Deployment deployment = render(overlay).one(Deployment.class, GATEWAY);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        PodSecurityContext podSecurity = pod.getSecurityContext();
        assertNotNull(podSecurity, overlay + ": pod securityContext");
        assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot(), overlay + ": pod runAsNonRoot");
        assertNonRootUser(podSecurity.getRunAsUser(), overlay + ": pod runAsUser");
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType(), overlay + ": pod seccompProfile");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), overlay + ": no service account token in the pod");

        List<Container> all = allContainers(pod);
        assertFalse(pod.getInitContainers().isEmpty(), overlay + ": the migration init container exists");
        for (Container c : all) {
            String where = overlay + ", container " + c.getName() + ": ";
            assertNotNull(c.getResources(), where + "resources");
            Map<String, ?> requests = Objects.requireNonNullElse(c.getResources().getRequests(), Map.of());
            Map<String, ?> limits = Objects.requireNonNullElse(c.getResources().getLimits(), Map.of());
            assertTrue(requests.containsKey("cpu") && requests.containsKey("memory"), where + "requests cpu and memory, found " + requests);
            assertTrue(limits.containsKey("memory"), where + "a memory limit, found " + limits);

            SecurityContext sc = c.getSecurityContext();
            assertNotNull(sc, where + "securityContext");
            assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), where + "runAsNonRoot");
            assertNonRootUser(sc.getRunAsUser() != null ? sc.getRunAsUser() : podSecurity.getRunAsUser(), where + "runAsUser");
            assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where + "readOnlyRootFilesystem");
            assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where + "allowPrivilegeEscalation");
            assertNotEquals(Boolean.TRUE, sc.getPrivileged(), where + "not privileged");
            assertNotNull(sc.getCapabilities(), where + "capabilities");
            assertTrue(sc.getCapabilities().getDrop().contains("ALL"), where + "drops ALL capabilities");
            assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), where + "adds no capability");

            // The root filesystem is read-only: /tmp must be a writable emptyDir.
            VolumeMount tmp = mountAt(c, "/tmp").orElseThrow(() -> new AssertionError(where + "mounts a volume at /tmp"));
            assertNotNull(volume(pod, tmp.getName()).getEmptyDir(), where + "/tmp is an emptyDir");
            assertTrue(javaOptions(c).contains("-XX:MaxRAMPercentage="), where + "the heap is sized from the memory limit (JAVA_OPTS_APPEND)");
            // the collector the benchmark measured; left to ergonomics it would be serial under the memory limit
            assertTrue(javaOptions(c).contains("-XX:+UseParallelGC"), where + "the parallel collector (JAVA_OPTS_APPEND)");
        }
        Container gateway = gateway(deployment);
        // what the benchmark runs with (bench/run.sh): left to its default, Quarkus starts two per core of the node
        assertEquals("2", literalOrNull(gateway, "QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE"), overlay + ": one event loop per core");
        assertEquals(1, gateway.getPorts().size(), overlay + ": one port");
        assertEquals("http", gateway.getPorts().get(0).getName());
        assertEquals(8080, gateway.getPorts().get(0).getContainerPort());
        String image = gateway.getImage();
        assertTrue(image.contains("/") && image.contains(":"), overlay + ": the image is set by the overlay (registry and tag), found " + image);
        for (Container c : all) {
            assertEquals(image, c.getImage(), overlay + ": every container runs the same gateway image");
        }
        if (overlay.equals("prod")) {
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertFalse(tag.equals("latest") || tag.endsWith("SNAPSHOT"), "prod pins a released image, found " + image);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void probesUseQuarkusHealthEndpointsAndShutdownDrains(String overlay) {
        Deployment deployment = render(overlay).one(Deployment.class, GATEWAY);
        Container gateway = gateway(deployment);
        assertHttpProbe(gateway.getStartupProbe(), "/q/health/started", overlay + " startupProbe");
        assertHttpProbe(gateway.getReadinessProbe(), "/q/health/ready", overlay + " readinessProbe");
        assertHttpProbe(gateway.getLivenessProbe(), "/q/health/live", overlay + " livenessProbe");
        Probe startup = gateway.getStartupProbe();
        int startupBudget = startup.getPeriodSeconds() * startup.getFailureThreshold();
        assertTrue(startupBudget >= 120, overlay + ": a slow start gets at least two minutes, found " + startupBudget + " s");

        assertNotNull(gateway.getLifecycle(), overlay + ": lifecycle");
        assertNotNull(gateway.getLifecycle().getPreStop(), overlay + ": a preStop hook lets endpoints drain before SIGTERM");
        var preStop = gateway.getLifecycle().getPreStop();
        int drainSeconds;
        if (preStop.getSleep() != null) {
            drainSeconds = preStop.getSleep().getSeconds().intValue();
        } else {
            assertNotNull(preStop.getExec(), overlay + ": preStop sleeps");
            drainSeconds = Integer.parseInt(preStop.getExec().getCommand().get(preStop.getExec().getCommand().size() - 1));
        }
        assertTrue(drainSeconds >= 2 && drainSeconds <= 15, overlay + ": preStop sleeps a few seconds, found " + drainSeconds);
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertTrue(grace > drainSeconds, overlay + ": the grace period outlasts the preStop sleep");
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void flywayRunsOnlyInTheInitContainerWithTheOwnersCredentials(String overlay) {
        Deployment deployment = render(overlay).one(Deployment.class, GATEWAY);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container gateway = gateway(deployment);
        assertEquals("false", literal(gateway, "QUARKUS_FLYWAY_MIGRATE_AT_START"), overlay + ": the gateway never migrates");
        for (EnvVar e : gateway.getEnv()) {
            assertFalse(e.getName().startsWith("DB_OWNER") || e.getName().startsWith("QUARKUS_FLYWAY_USERNAME")
                    || e.getName().startsWith("QUARKUS_FLYWAY_PASSWORD"), overlay + ": the gateway has no owner credentials: " + e.getName());
        }
        assertNull(literalOrNull(gateway, "QUARKUS_INIT_AND_EXIT"), overlay + ": the gateway does not exit after init");

        List<Container> migrators = pod.getInitContainers().stream()
                .filter(c -> "true".equals(literalOrNull(c, "QUARKUS_FLYWAY_MIGRATE_AT_START"))).toList();
        assertEquals(1, migrators.size(), overlay + ": exactly one init container migrates");
        Container migrate = migrators.get(0);
        assertEquals("true", literal(migrate, "QUARKUS_INIT_AND_EXIT"), overlay + ": the init container exits after migrating");
        SecretKeySelector ownerUser = secretRef(migrate, "DB_OWNER_USER");
        SecretKeySelector ownerPassword = secretRef(migrate, "DB_OWNER_PASSWORD");
        assertEquals(ownerUser.getName(), ownerPassword.getName(), overlay + ": owner name and password come from one Secret");
        assertTrue(env(migrate, "DB_PASSWORD").isEmpty(), overlay + ": the init container does not need the gateway's password");
        // The migrations grant to ${appRole} = DB_USER: the init container must name the role the gateway logs in as.
        assertEquals(secretRef(gateway, "DB_USER"), secretRef(migrate, "DB_USER"), overlay + ": one DB_USER for both containers");
        for (String name : List.of("DB_HOST", "DB_PORT", "DB_NAME")) {
            assertEquals(env(gateway, name).orElseThrow(), env(migrate, name).orElseThrow(), overlay + ": both containers use the same " + name);
        }
        for (Container c : pod.getInitContainers()) {
            if (c != migrate) {
                assertTrue(env(c, "DB_OWNER_PASSWORD").isEmpty(), overlay + ": only the migrating init container has owner credentials");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void secretsAreOnlyReferencedNeverWritten(String overlay) {
        Rendered r = render(overlay);
        assertEquals(List.of(), r.objects.stream().filter(o -> "Secret".equals(o.getKind())).map(o -> o.getMetadata().getName()).toList(),
                overlay + ": no Secret is rendered (they are created outside git, see k8s/README.md)");

        Deployment deployment = r.one(Deployment.class, GATEWAY);
        for (Container c : allContainers(deployment.getSpec().getTemplate().getSpec())) {
            for (EnvVar e : c.getEnv()) {
                if (SENSITIVE.matcher(e.getName().toUpperCase(Locale.ROOT)).find()) {
                    assertNull(e.getValue(), overlay + ", " + c.getName() + ": " + e.getName() + " has no literal value");
                    assertNotNull(e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef(),
                            overlay + ", " + c.getName() + ": " + e.getName() + " comes from a Secret (secretKeyRef)");
                }
            }
            for (String name : List.of("DB_USER", "DB_PASSWORD", "DB_OWNER_USER", "DB_OWNER_PASSWORD")) {
                env(c, name).ifPresent(e -> assertNotNull(e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef(),
                        overlay + ", " + c.getName() + ": " + name + " by secretKeyRef"));
            }
            for (String name : List.of("OIDC_ISSUER_URL", "OIDC_AUDIENCE")) {
                env(c, name).ifPresent(e -> assertTrue(e.getValueFrom() != null
                        && (e.getValueFrom().getConfigMapKeyRef() != null || e.getValueFrom().getSecretKeyRef() != null),
                        overlay + ", " + c.getName() + ": " + name + " by reference to a ConfigMap or Secret"));
            }
        }
        assertTrue(env(gateway(deployment), "DB_PASSWORD").isPresent(), overlay + ": the gateway gets its database password");
        assertTrue(env(gateway(deployment), "OIDC_ISSUER_URL").isPresent(), overlay + ": the gateway gets its OIDC issuer");

        // Nowhere in the output (ConfigMaps, CRDs, annotations...) does a password or secret stand as a plain value.
        for (HasMetadata o : r.objects) {
            Map<String, Object> tree = YAML.convertValue(o, Map.class);
            assertNoLiteralSecrets(tree, o.getKind() + "/" + o.getMetadata().getName(), overlay);
        }
        for (ConfigMap cm : r.all(ConfigMap.class)) {
            if (cm.getData() == null) {
                continue;
            }
            for (String key : cm.getData().keySet()) {
                assertFalse(SENSITIVE.matcher(key.toUpperCase(Locale.ROOT)).find(),
                        overlay + ": ConfigMap " + cm.getMetadata().getName() + " holds no secret-looking key: " + key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void everyConfigurationReferenceResolvesAndPointsAtTheDatabaseCluster(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        GenericKubernetesResource cluster = r.cluster();
        String clusterName = cluster.getMetadata().getName();
        for (Container c : allContainers(deployment.getSpec().getTemplate().getSpec())) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                    var ref = e.getValueFrom().getConfigMapKeyRef();
                    ConfigMap cm = r.one(ConfigMap.class, ref.getName());
                    assertTrue(cm.getData().containsKey(ref.getKey()), overlay + ": ConfigMap " + ref.getName() + " has key " + ref.getKey());
                }
            }
        }
        Container gateway = gateway(deployment);
        assertEquals(clusterName + "-rw", r.resolve(gateway, "DB_HOST"), overlay + ": the gateway writes to the CloudNativePG primary");
        assertEquals("5432", r.resolve(gateway, "DB_PORT"), overlay + ": DB_PORT");
        assertEquals("coalition", r.resolve(gateway, "DB_NAME"), overlay + ": DB_NAME");
        assertEquals(cluster.get("spec", "bootstrap", "initdb", "database"), r.resolve(gateway, "DB_NAME"),
                overlay + ": the database CloudNativePG creates is the one the gateway uses");
        assertTrue(r.resolve(gateway, "OIDC_ISSUER_URL").startsWith("https://"), overlay + ": the OIDC issuer is an https URL");
        assertFalse(r.resolve(gateway, "OIDC_AUDIENCE").isBlank(), overlay + ": OIDC_AUDIENCE");

        // The owner the operator bootstraps is the one Flyway logs in as; the gateway's role is created by the operator
        // with the password the gateway gets, and is an ordinary role (no superuser, no BYPASSRLS).
        Container migrate = migrator(deployment);
        assertEquals(cluster.get("spec", "bootstrap", "initdb", "secret", "name"), secretRef(migrate, "DB_OWNER_PASSWORD").getName(),
                overlay + ": Flyway uses the owner Secret the database was bootstrapped with");
        List<Map<String, Object>> roles = cluster.get("spec", "managed", "roles");
        assertNotNull(roles, overlay + ": the gateway's role is managed by the operator");
        String appSecret = secretRef(gateway, "DB_PASSWORD").getName();
        assertEquals(appSecret, secretRef(gateway, "DB_USER").getName(), overlay + ": DB_USER and DB_PASSWORD come from one Secret");
        Map<String, Object> appRole = roles.stream()
                .filter(role -> role.get("passwordSecret") instanceof Map<?, ?> ps && appSecret.equals(ps.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError(overlay + ": a managed role takes its password from " + appSecret));
        assertEquals(Boolean.TRUE, appRole.get("login"), overlay + ": the gateway's role can log in");
        assertNotEquals(Boolean.TRUE, appRole.get("superuser"), overlay + ": the gateway's role is no superuser");
        assertNotEquals(Boolean.TRUE, appRole.get("bypassrls"), overlay + ": the gateway's role does not bypass row-level security");
    }

    // ------------------------------------------------------------------------------------------- around the pods

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void serviceAccountServiceAutoscalerAndDisruptionBudgetFitTheDeployment(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        Map<String, String> podLabels = podLabels(deployment);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();

        ServiceAccount account = r.one(ServiceAccount.class, pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken(), overlay + ": the ServiceAccount mounts no token");

        Service service = r.one(Service.class, GATEWAY);
        assertTrue(service.getSpec().getType() == null || "ClusterIP".equals(service.getSpec().getType()), overlay + ": ClusterIP");
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()), overlay + ": the Service selects the pods");
        ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort() == 80).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": Service port 80"));
        assertEquals(new IntOrString("http"), port.getTargetPort(), overlay + ": port 80 forwards to the named port http");

        HorizontalPodAutoscaler hpa = r.one(HorizontalPodAutoscaler.class, GATEWAY);
        assertEquals("autoscaling/v2", hpa.getApiVersion());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(GATEWAY, hpa.getSpec().getScaleTargetRef().getName());
        int min = hpa.getSpec().getMinReplicas();
        int max = hpa.getSpec().getMaxReplicas();
        assertTrue(min >= 2, overlay + ": the HPA keeps at least two replicas, found " + min);
        assertTrue(max > min, overlay + ": the HPA can scale out");
        int replicas = deployment.getSpec().getReplicas();
        assertTrue(replicas >= min && replicas <= max, overlay + ": the Deployment's replicas lie within the HPA's range");
        MetricSpec cpu = hpa.getSpec().getMetrics().stream()
                .filter(m -> m.getResource() != null && "cpu".equals(m.getResource().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": the HPA scales on CPU"));
        int target = cpu.getResource().getTarget().getAverageUtilization();
        assertTrue(target >= 50 && target <= 85, overlay + ": CPU utilisation target around 70 %, found " + target);

        PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class, GATEWAY);
        assertTrue(selects(pdb.getSpec().getSelector(), podLabels), overlay + ": the PDB selects the pods");
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        if (maxUnavailable != null) {
            assertEquals(1, maxUnavailable.getIntVal(), overlay + ": one pod at a time");
        } else {
            assertNotNull(minAvailable, overlay + ": the PDB sets minAvailable or maxUnavailable");
            assertTrue(minAvailable.getIntVal() >= 1 && minAvailable.getIntVal() < min, overlay + ": minAvailable still allows a drain");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void networkPolicyAdmitsOnlyTheIngressControllerAndPrometheusAndReachesOnlyDatabaseDnsAndHttps(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        String clusterName = r.cluster().getMetadata().getName();
        NetworkPolicy policy = r.all(NetworkPolicy.class).stream()
                .filter(p -> selects(p.getSpec().getPodSelector(), podLabels(deployment))).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": a NetworkPolicy selects the gateway pods"));
        assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(policy.getSpec().getPolicyTypes()), overlay + ": policyTypes");

        Set<String> allowedFrom = new TreeSet<>();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), overlay + ": no ingress rule admits everyone");
            assertEquals(List.of(8080), rule.getPorts().stream().map(p -> p.getPort().getIntVal()).toList(), overlay + ": ingress on 8080 only");
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertNull(peer.getIpBlock(), overlay + ": ingress by namespace, not by address");
                assertNotNull(peer.getNamespaceSelector(), overlay + ": ingress from a named namespace");
                allowedFrom.add(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"));
            }
        }
        assertEquals(Set.of("ingress-nginx", "monitoring"), allowedFrom, overlay + ": ingress from the ingress controller and Prometheus");

        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        for (NetworkPolicyEgressRule rule : egress) {
            assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), overlay + ": every egress rule names its ports");
            assertFalse(rule.getTo() == null || rule.getTo().isEmpty(), overlay + ": every egress rule names its destination");
        }
        assertTrue(egress.stream().anyMatch(rule -> hasPort(rule, "TCP", 5432) && rule.getTo().stream().anyMatch(peer ->
                peer.getPodSelector() != null && Map.of("cnpg.io/cluster", clusterName).equals(peer.getPodSelector().getMatchLabels())
                        && peer.getNamespaceSelector() == null && peer.getIpBlock() == null)),
                overlay + ": egress to the PostgreSQL pods of " + clusterName + " on 5432 (exactly that podSelector)");
        NetworkPolicyEgressRule dns = egress.stream().filter(rule -> hasPort(rule, "UDP", 53)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": egress to DNS over UDP 53"));
        assertTrue(hasPort(dns, "TCP", 53), overlay + ": DNS over TCP 53 as well");
        assertTrue(dns.getTo().stream().allMatch(peer -> peer.getNamespaceSelector() != null
                && "kube-system".equals(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))),
                overlay + ": DNS only in kube-system");
        NetworkPolicyEgressRule https = egress.stream().filter(rule -> hasPort(rule, "TCP", 443)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": egress to the OIDC issuer over HTTPS"));
        assertEquals(1, https.getPorts().size(), overlay + ": the OIDC rule opens 443 only");
        for (NetworkPolicyPeer peer : https.getTo()) {
            if (peer.getIpBlock() != null && "0.0.0.0/0".equals(peer.getIpBlock().getCidr())) {
                assertTrue(peer.getIpBlock().getExcept().containsAll(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")),
                        overlay + ": the catch-all OIDC rule excludes private and link-local ranges");
            }
        }
    }

    // -------------------------------------------------------------------------------------- partner contracts

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void everyPartnerContractIsMountedUnchanged(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container gateway = gateway(deployment);
        assertEquals(CONTRACTS_MOUNT, literal(gateway, "COALITION_CONTRACTS_DIR"), overlay + ": COALITION_CONTRACTS_DIR");
        VolumeMount mount = mountAt(gateway, CONTRACTS_MOUNT)
                .orElseThrow(() -> new AssertionError(overlay + ": the contracts are mounted at " + CONTRACTS_MOUNT));
        assertEquals(Boolean.TRUE, mount.getReadOnly(), overlay + ": mounted read-only");
        assertNull(mount.getSubPath(), overlay + ": no subPath, so changed contracts reach running pods too");
        Volume volume = volume(pod, mount.getName());
        assertNotNull(volume.getConfigMap(), overlay + ": the contracts volume is a ConfigMap");
        ConfigMap contracts = r.one(ConfigMap.class, volume.getConfigMap().getName());
        assertEquals(List.of(), differences(contractFiles(CONTRACTS), contracts.getData()),
                overlay + ": ConfigMap " + contracts.getMetadata().getName() + " holds every file of partner-contracts/, unchanged"
                        + " (run k8s/sync-partner-contracts.sh)");
        assertFalse(contracts.getData().isEmpty(), overlay + ": the contracts ConfigMap is not empty");
    }

    /** The tier program (partner-contracts/coalition/) from a ConfigMap of its own: a ConfigMap volume holds no directory. */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void theCoalitionProgramIsMountedUnchangedWhereTheGatewayLooksForIt(String overlay) {
        Rendered r = render(overlay);
        Deployment deployment = r.one(Deployment.class, GATEWAY);
        Container gateway = gateway(deployment);
        String tiersFile = literal(gateway, "COALITION_TIERS_FILE");
        String directory = tiersFile.substring(0, tiersFile.lastIndexOf('/'));
        VolumeMount mount = mountAt(gateway, directory)
                .orElseThrow(() -> new AssertionError(overlay + ": COALITION_TIERS_FILE lies in a mounted directory, " + directory));
        assertEquals(Boolean.TRUE, mount.getReadOnly(), overlay + ": mounted read-only");
        ConfigMap program = r.one(ConfigMap.class, volume(deployment.getSpec().getTemplate().getSpec(), mount.getName())
                .getConfigMap().getName());
        assertEquals(List.of(), differences(contractFiles(CONTRACTS.resolve("coalition")), program.getData()),
                overlay + ": ConfigMap " + program.getMetadata().getName() + " holds partner-contracts/coalition/, unchanged"
                        + " (run k8s/sync-partner-contracts.sh)");
        assertTrue(program.getData().containsKey(tiersFile.substring(directory.length() + 1)), overlay + ": it holds the tiers");
    }

    @Test
    void theContractsCopyBesideTheKustomizationIsIdenticalToPartnerContracts() {
        assertEquals(List.of(), differences(contractFiles(CONTRACTS), contractFiles(CONTRACTS_COPY)),
                "k8s/base/partner-contracts/ differs from partner-contracts/: run k8s/sync-partner-contracts.sh");
        assertEquals(List.of(), differences(contractFiles(CONTRACTS.resolve("coalition")), contractFiles(CONTRACTS_COPY.resolve("coalition"))),
                "k8s/base/partner-contracts/coalition/ differs from partner-contracts/coalition/: run k8s/sync-partner-contracts.sh");
    }

    /** File names missing, extra or with other content on the right-hand side. */
    private static List<String> differences(Map<String, String> expected, Map<String, String> actual) {
        List<String> differences = new ArrayList<>();
        Set<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            if (!actual.containsKey(name)) {
                differences.add(name + " is missing");
            } else if (!expected.containsKey(name)) {
                differences.add(name + " is not in partner-contracts/");
            } else if (!expected.get(name).equals(actual.get(name))) {
                differences.add(name + " has other content");
            }
        }
        return differences;
    }

    // ----------------------------------------------------------------------------------------------- database

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void theDatabaseClusterIsSizedForTheGatewaysConnections(String overlay) {
        Rendered r = render(overlay);
        GenericKubernetesResource cluster = r.cluster();
        assertEquals("coalition-db", cluster.getMetadata().getName());
        int instances = ((Number) cluster.get("spec", "instances")).intValue();
        assertEquals(overlay.equals("prod") ? 3 : 1, instances, overlay + ": PostgreSQL instances");
        assertNotNull(cluster.get("spec", "storage", "size"), overlay + ": storage size");
        assertEquals(Boolean.TRUE, cluster.get("spec", "monitoring", "enablePodMonitor"), overlay + ": monitoring enabled");
        assertEquals("coalition", cluster.get("spec", "bootstrap", "initdb", "database"));
        assertNotNull(cluster.get("spec", "bootstrap", "initdb", "owner"), overlay + ": the database has an owner");
        assertNotNull(cluster.get("spec", "bootstrap", "initdb", "secret", "name"), overlay + ": the owner's credentials by Secret reference");

        Deployment deployment = r.one(Deployment.class, GATEWAY);
        HorizontalPodAutoscaler hpa = r.one(HorizontalPodAutoscaler.class, GATEWAY);
        int pool = Integer.parseInt(r.resolve(gateway(deployment), "DB_POOL_SIZE"));
        int pods = hpa.getSpec().getMaxReplicas() + maxSurge(deployment);
        String maxConnectionsText = cluster.get("spec", "postgresql", "parameters", "max_connections");
        assertNotNull(maxConnectionsText, overlay + ": max_connections is set for the gateway's pools");
        int maxConnections = Integer.parseInt(maxConnectionsText);
        int needed = pods * pool + CONNECTION_HEADROOM;
        assertTrue(needed <= maxConnections, overlay + ": " + pods + " pods x DB_POOL_SIZE " + pool + " + " + CONNECTION_HEADROOM
                + " = " + needed + " connections, but max_connections is " + maxConnections);
    }

    @Test
    void productionCheckpointsAreSpacedForTheWriteLoadAndItsWalFitsTheVolume() {
        GenericKubernetesResource cluster = render("prod").cluster();
        String maxWalSize = cluster.get("spec", "postgresql", "parameters", "max_wal_size");
        assertNotNull(maxWalSize, "prod: max_wal_size is set (PostgreSQL's 1GB default checkpoints every 20 s under load)");
        BigDecimal wal = postgresBytes(maxWalSize);
        String volume = cluster.get("spec", "storage", "size");
        assertTrue(wal.compareTo(postgresBytes("4GB")) >= 0, "prod: max_wal_size " + maxWalSize + " is under 4GB");
        assertTrue(wal.multiply(BigDecimal.valueOf(4)).compareTo(Quantity.getAmountInBytes(new Quantity(volume))) <= 0,
                "prod: max_wal_size " + maxWalSize + " takes more than a quarter of the " + volume + " volume");
    }

    /** A PostgreSQL memory or disk size ({@code 8GB}: its units are powers of 1024, unlike Kubernetes' {@code G}). */
    private static BigDecimal postgresBytes(String size) {
        Matcher matcher = Pattern.compile("(\\d+)(MB|GB|TB)").matcher(size);
        assertTrue(matcher.matches(), "a PostgreSQL size in MB, GB or TB: " + size);
        int power = List.of("MB", "GB", "TB").indexOf(matcher.group(2)) + 2;
        return new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void theOwnerMayDoWhatTheMigrationsDoToRoles(String overlay) throws IOException {
        GenericKubernetesResource cluster = render(overlay).cluster();
        String owner = cluster.get("spec", "bootstrap", "initdb", "owner");
        List<String> postInit = Objects.requireNonNullElse(cluster.get("spec", "bootstrap", "initdb", "postInitApplicationSQL"), List.of());
        String bootstrapSql = String.join(";\n", postInit).toLowerCase(Locale.ROOT);
        boolean migrationsTouchRoles;
        try (Stream<Path> files = Files.list(ROOT.resolve("src/main/resources/db/migration"))) {
            migrationsTouchRoles = files.anyMatch(f -> {
                try {
                    return Pattern.compile("(?i)\\b(create|alter)\\s+role\\b").matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (migrationsTouchRoles) {
            // Flyway runs as the database owner, not as a superuser: CREATE ROLE and ALTER ROLE ... SET need CREATEROLE
            // (and, from PostgreSQL 16 on, ADMIN OPTION on the role), granted once at bootstrap.
            assertTrue(bootstrapSql.contains("alter role " + owner + " createrole"),
                    overlay + ": the migrations create or alter roles, so the bootstrap gives " + owner + " CREATEROLE");
            String appRole = render(overlay).resolveSecretUser();
            assertTrue(bootstrapSql.contains("grant " + appRole + " to " + owner + " with admin option"),
                    overlay + ": the bootstrap lets " + owner + " administer " + appRole);
        }
    }

    @Test
    void prodArchivesToObjectStorageWithCredentialsByReferenceAndBacksUpNightly() {
        Rendered r = render("prod");
        GenericKubernetesResource cluster = r.cluster();
        Map<String, Object> store = cluster.get("spec", "backup", "barmanObjectStore");
        assertNotNull(store, "prod: backup.barmanObjectStore");
        assertTrue(String.valueOf(store.get("destinationPath")).matches("(s3|gs|https)://.+"), "prod: a destinationPath, found " + store.get("destinationPath"));
        Map<String, Object> s3 = cluster.get("spec", "backup", "barmanObjectStore", "s3Credentials");
        assertNotNull(s3, "prod: s3Credentials");
        for (String field : List.of("accessKeyId", "secretAccessKey")) {
            assertTrue(s3.get(field) instanceof Map<?, ?> ref && ref.get("name") != null && ref.get("key") != null && ref.size() == 2,
                    "prod: s3Credentials." + field + " is a {name, key} Secret reference, found " + s3.get(field));
        }
        assertNotNull(cluster.get("spec", "backup", "retentionPolicy"), "prod: a retention policy");

        List<GenericKubernetesResource> scheduled = r.generic("postgresql.cnpg.io/v1", "ScheduledBackup");
        assertEquals(1, scheduled.size(), "prod: one ScheduledBackup");
        GenericKubernetesResource backup = scheduled.get(0);
        assertEquals(cluster.getMetadata().getName(), backup.get("spec", "cluster", "name"), "prod: the ScheduledBackup backs up coalition-db");
        assertEquals("barmanObjectStore", backup.get("spec", "method"));
        String schedule = backup.get("spec", "schedule");
        assertEquals(6, schedule.trim().split("\\s+").length, "prod: CloudNativePG schedules have six fields (seconds first): " + schedule);

        assertTrue(render("dev").generic("postgresql.cnpg.io/v1", "ScheduledBackup").isEmpty(), "dev: no scheduled backups");
        assertEquals("coalition", cluster.getMetadata().getNamespace(), "prod: namespace coalition");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    @Test
    void theMonitoringKitScrapesTheGatewayPodsAndShipsTheDashboard() throws IOException {
        Rendered monitoring = new Rendered("../monitoring", kustomize(ROOT.resolve("k8s/monitoring")));
        List<GenericKubernetesResource> podMonitors = monitoring.generic("monitoring.coreos.com/v1", "PodMonitor");
        assertEquals(1, podMonitors.size(), "one PodMonitor");
        Map<String, String> selector = podMonitors.get(0).get("spec", "selector", "matchLabels");
        Deployment gateway = render("prod").one(Deployment.class, GATEWAY);
        Map<String, String> podLabels = gateway.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "the PodMonitor selects the gateway's pods: " + selector);
        List<Map<String, Object>> endpoints = podMonitors.get(0).get("spec", "podMetricsEndpoints");
        assertEquals("/q/metrics", endpoints.get(0).get("path"));
        assertTrue(gateway(gateway).getPorts().stream().anyMatch(port -> port.getName().equals(endpoints.get(0).get("port"))),
                "the PodMonitor scrapes a named port of the gateway container");
        ConfigMap dashboard = monitoring.one(ConfigMap.class, "coalition-gateway-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"), "Grafana's sidecar finds the dashboard");
        assertEquals(Files.readString(ROOT.resolve("k8s/monitoring/coalition-gateway-dashboard.json")),
                dashboard.getData().get("coalition-gateway-dashboard.json"));
    }

    private static Rendered render(String overlay) {
        Rendered cached = RENDERED.get(overlay);
        if (cached != null) {
            return cached;
        }
        Rendered rendered = new Rendered(overlay, kustomize(ROOT.resolve("k8s/overlays").resolve(overlay)));
        RENDERED.put(overlay, rendered);
        return rendered;
    }

    private static String kustomize(Path dir) {
        Process process;
        try {
            process = new ProcessBuilder(KUBECTL, "kustomize", ROOT.relativize(dir).toString()).directory(ROOT.toFile()).start();
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "kubectl not found: " + e.getMessage()
                    + " (install kubectl, or point -Dkubectl= / KUBECTL at it, to check the k8s/ manifests)");
            throw new IllegalStateException(e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String stdout = read(process.getInputStream());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            assertEquals(0, process.exitValue(), "kubectl kustomize " + ROOT.relativize(dir) + " failed:\n" + stderr.join());
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code kubectl kustomize} printed, as fabric8 objects (CRDs such as CloudNativePG's as generic resources). */
    private static final class Rendered {
        final String overlay;
        final List<HasMetadata> objects = new ArrayList<>();

        Rendered(String overlay, String yaml) {
            this.overlay = overlay;
            try (MappingIterator<KubernetesResource> docs = YAML.readerFor(KubernetesResource.class).readValues(yaml)) {
                while (docs.hasNext()) {
                    KubernetesResource doc = docs.next();
                    if (doc != null) {
                        objects.add((HasMetadata) doc);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse the output of kubectl kustomize k8s/overlays/" + overlay, e);
            }
            assertFalse(objects.isEmpty(), overlay + ": kustomize rendered nothing");
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        /** By name as rendered (a generated ConfigMap's name carries its content hash, and so do references to it). */
        <T extends HasMetadata> T one(Class<T> type, String name) {
            assertNotNull(name, overlay + ": a " + type.getSimpleName() + " name");
            List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
            assertEquals(1, found.size(), overlay + ": exactly one " + type.getSimpleName() + " named " + name + " in the rendered output");
            return found.get(0);
        }

        List<GenericKubernetesResource> generic(String apiVersion, String kind) {
            return objects.stream().filter(o -> apiVersion.equals(o.getApiVersion()) && kind.equals(o.getKind()))
                    .map(o -> {
                        assertTrue(o instanceof GenericKubernetesResource, overlay + ": " + kind + " is parsed as a generic resource");
                        return (GenericKubernetesResource) o;
                    }).toList();
        }

        GenericKubernetesResource cluster() {
            List<GenericKubernetesResource> clusters = generic("postgresql.cnpg.io/v1", "Cluster");
            assertEquals(1, clusters.size(), overlay + ": one CloudNativePG Cluster");
            return clusters.get(0);
        }

        /** The gateway's role: the managed role of the Cluster whose password is the gateway's DB_PASSWORD Secret. */
        String resolveSecretUser() {
            String secret = secretRef(gateway(one(Deployment.class, GATEWAY)), "DB_PASSWORD").getName();
            List<Map<String, Object>> roles = Objects.requireNonNullElse(cluster().get("spec", "managed", "roles"), List.of());
            return roles.stream().filter(role -> role.get("passwordSecret") instanceof Map<?, ?> ps && secret.equals(ps.get("name")))
                    .map(role -> String.valueOf(role.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": a managed role takes its password from " + secret));
        }

        /** The value an env var gets at run time: a literal or a ConfigMap key; Secrets are never in the output. */
        String resolve(Container c, String name) {
            EnvVar e = env(c, name).orElseThrow(() -> new AssertionError(overlay + ": " + c.getName() + " has " + name));
            if (e.getValue() != null) {
                return e.getValue();
            }
            var ref = e.getValueFrom().getConfigMapKeyRef();
            assertNotNull(ref, overlay + ": " + name + " is a literal or a ConfigMap key");
            String value = one(ConfigMap.class, ref.getName()).getData().get(ref.getKey());
            assertNotNull(value, overlay + ": ConfigMap " + ref.getName() + " has " + ref.getKey());
            return value;
        }
    }

    private static Container gateway(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "one application container");
        return containers.get(0);
    }

    private static Container migrator(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> "true".equals(literalOrNull(c, "QUARKUS_FLYWAY_MIGRATE_AT_START"))).findFirst()
                .orElseThrow(() -> new AssertionError("an init container migrates"));
    }

    private static List<Container> allContainers(PodSpec pod) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    private static Optional<EnvVar> env(Container c, String name) {
        List<EnvVar> found = c.getEnv().stream().filter(e -> e.getName().equals(name)).toList();
        assertTrue(found.size() <= 1, c.getName() + " sets " + name + " once");
        return found.stream().findFirst();
    }

    private static String literalOrNull(Container c, String name) {
        return env(c, name).map(EnvVar::getValue).orElse(null);
    }

    private static String literal(Container c, String name) {
        String value = literalOrNull(c, name);
        assertNotNull(value, c.getName() + ": " + name + " is set");
        return value;
    }

    private static SecretKeySelector secretRef(Container c, String name) {
        EnvVar e = env(c, name).orElseThrow(() -> new AssertionError(c.getName() + " has " + name));
        assertNull(e.getValue(), c.getName() + ": " + name + " has no literal value");
        assertNotNull(e.getValueFrom(), c.getName() + ": " + name + " by reference");
        SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
        assertNotNull(ref, c.getName() + ": " + name + " from a Secret (secretKeyRef)");
        return ref;
    }

    private static String javaOptions(Container c) {
        return env(c, "JAVA_OPTS_APPEND").map(EnvVar::getValue).orElse("");
    }

    private static Optional<VolumeMount> mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + name));
    }

    private static void assertHttpProbe(Probe probe, String path, String what) {
        assertNotNull(probe, what);
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " is an HTTP GET");
        assertEquals(path, get.getPath(), what + " path");
        IntOrString port = get.getPort();
        assertTrue("http".equals(port.getStrVal()) || Integer.valueOf(8080).equals(port.getIntVal()), what + " on the http port");
    }

    private static void assertNonRootUser(Long uid, String what) {
        assertNotNull(uid, what);
        assertTrue(uid > 0, what + " is not root, found " + uid);
    }

    private static int maxUnavailable(Deployment deployment) {
        return rollingUpdateCount(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable(), deployment, false);
    }

    private static int maxSurge(Deployment deployment) {
        var strategy = deployment.getSpec().getStrategy();
        if (strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getMaxSurge() == null) {
            return (int) Math.ceil(deployment.getSpec().getReplicas() * 0.25); // the Kubernetes default, 25 %
        }
        return rollingUpdateCount(strategy.getRollingUpdate().getMaxSurge(), deployment, true);
    }

    private static int rollingUpdateCount(IntOrString value, Deployment deployment, boolean roundUp) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        double share = Double.parseDouble(value.getStrVal().replace("%", "")) / 100 * deployment.getSpec().getReplicas();
        return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
    }

    private static boolean hasPort(NetworkPolicyEgressRule rule, String protocol, int port) {
        for (NetworkPolicyPort p : rule.getPorts()) {
            String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (proto.equals(protocol) && p.getPort() != null && Integer.valueOf(port).equals(p.getPort().getIntVal())) {
                return true;
            }
        }
        return false;
    }

    /** A key that names a password or secret must hold a reference (a map such as {name, key}), never a plain value. */
    @SuppressWarnings("unchecked")
    private static void assertNoLiteralSecrets(Object node, String path, String overlay) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                String where = path + "." + key;
                Object value = entry.getValue();
                boolean sensitiveKey = Stream.of("password", "secret", "token", "credential")
                        .anyMatch(word -> key.toLowerCase(Locale.ROOT).contains(word));
                boolean nameOfAReference = key.equals("secretName") || key.endsWith("Ref") || key.equals("automountServiceAccountToken");
                if (sensitiveKey && !nameOfAReference && !path.endsWith(".data") && !path.endsWith(".labels")
                        && !path.endsWith(".annotations")) {
                    assertTrue(value instanceof Map<?, ?> || value instanceof Boolean, overlay + ": " + where
                            + " must be a Secret reference, not a literal: " + value);
                }
                assertNoLiteralSecrets(value, where, overlay);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                assertNoLiteralSecrets(list.get(i), path + "[" + i + "]", overlay);
            }
        }
    }

    /** File name to content of every contract in a directory. */
    private static TreeMap<String, String> contractFiles(Path dir) {
        Predicate<Path> isContract = p -> Files.isRegularFile(p)
                && (p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(isContract).collect(Collectors.toMap(p -> p.getFileName().toString(), p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, (a, b) -> a, TreeMap::new));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
