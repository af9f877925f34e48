package org.coalition.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A small OpenID Connect provider for the web apps' tests, with what a browser needs of the authorization-code
 * flow: discovery, keys, an HTML login form (user name and password), the token endpoint and RP-initiated logout.
 * Tests register people over HTTP ({@code POST /users}), as an admin would in the coalition's IdP: realm roles, and
 * for partner staff the partner and permission claims. The gateway's web tenant finds it at {@code web-login.url}.
 */
public class WebLoginProvider implements QuarkusTestResourceLifecycleManager {

    static final String CLIENT_ID = "coalition-web";
    static final String CLIENT_SECRET = "web-client-secret-for-tests-only";
    static final int TOKEN_LIFETIME_SECONDS = 3600;

    private HttpServer server;
    private String issuer;
    private KeyPair keys;
    private final Map<String, JsonObject> users = new ConcurrentHashMap<>();
    private final Map<String, JsonObject> codes = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/web";
        server.createContext("/realms/web/.well-known/openid-configuration", this::discovery);
        server.createContext("/realms/web/keys", this::jwks);
        server.createContext("/realms/web/auth", this::authorize);
        server.createContext("/realms/web/login", this::login);
        server.createContext("/realms/web/token", this::token);
        server.createContext("/realms/web/logout", this::logout);
        server.createContext("/realms/web/users", this::register);
        server.start();
        return Map.of("web-login.url", issuer);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void discovery(HttpExchange exchange) throws IOException {
        json(exchange, 200, new JsonObject().put("issuer", issuer)
                .put("authorization_endpoint", issuer + "/auth").put("token_endpoint", issuer + "/token")
                .put("jwks_uri", issuer + "/keys").put("end_session_endpoint", issuer + "/logout")
                .put("response_types_supported", new JsonArray().add("code"))
                .put("subject_types_supported", new JsonArray().add("public"))
                .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256")));
    }

    private void jwks(HttpExchange exchange) throws IOException {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        json(exchange, 200, new JsonObject().put("keys", new JsonArray().add(new JsonObject()
                .put("kty", "RSA").put("kid", "web-1").put("use", "sig").put("alg", "RS256")
                .put("n", base64Url(key.getModulus())).put("e", base64Url(key.getPublicExponent())))));
    }

    /** The login form, keeping the client's request in hidden fields. */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        if (!CLIENT_ID.equals(query.get("client_id")) || !"code".equals(query.get("response_type"))) {
            html(exchange, 400, "<p>unknown client or response type</p>");
            return;
        }
        StringBuilder hidden = new StringBuilder();
        for (String name : List.of("redirect_uri", "state", "nonce")) {
            hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                    .append(escaped(query.getOrDefault(name, ""))).append("\">");
        }
        html(exchange, 200, "<h1>Coalition sign-in</h1><form method=\"post\" action=\"" + issuer + "/login\">" + hidden
                + "<label for=\"username\">User name</label><input id=\"username\" name=\"username\">"
                + "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\">"
                + "<button id=\"sign-in\" type=\"submit\">Sign in</button></form>");
    }

    private void login(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(body(exchange));
        JsonObject user = users.get(form.getOrDefault("username", ""));
        if (user == null || !user.getString("password").equals(form.get("password"))) {
            html(exchange, 401, "<p id=\"login-error\">Wrong user name or password</p>");
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new JsonObject().put("user", user).put("nonce", form.get("nonce"))
                .put("redirect_uri", form.get("redirect_uri")));
        String redirect = form.get("redirect_uri");
        exchange.getResponseHeaders().add("Location", redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code
                + "&state=" + URLEncoder.encode(form.getOrDefault("state", ""), StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(body(exchange));
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        boolean clientOk = expected.equals(authorization)
                || (CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret")));
        JsonObject grant = codes.remove(form.getOrDefault("code", ""));
        if (!clientOk || !"authorization_code".equals(form.get("grant_type")) || grant == null
                || !grant.getString("redirect_uri").equals(form.get("redirect_uri"))) {
            json(exchange, 400, new JsonObject().put("error", "invalid_grant"));
            return;
        }
        JsonObject user = grant.getJsonObject("user");
        Map<String, Object> claims = new HashMap<>(user.getJsonObject("claims").getMap());
        var idToken = Jwt.claims(claims).issuer(issuer).audience(CLIENT_ID).subject(user.getString("subject"))
                .claim("azp", CLIENT_ID).claim("preferred_username", user.getString("username"))
                .claim("realm_access", Map.of("roles", user.getJsonArray("roles").getList()))
                .expiresIn(TOKEN_LIFETIME_SECONDS);
        if (grant.getString("nonce") != null && !grant.getString("nonce").isEmpty()) {
            idToken.claim("nonce", grant.getString("nonce"));
        }
        String signedId = idToken.jws().keyId("web-1").sign(keys.getPrivate());
        String access = Jwt.issuer(issuer).audience(CLIENT_ID).subject(user.getString("subject"))
                .expiresIn(TOKEN_LIFETIME_SECONDS).jws().keyId("web-1").sign(keys.getPrivate());
        json(exchange, 200, new JsonObject().put("access_token", access).put("id_token", signedId)
                .put("token_type", "Bearer").put("expires_in", TOKEN_LIFETIME_SECONDS));
    }

    private void logout(HttpExchange exchange) throws IOException {
        String target = form(exchange.getRequestURI().getRawQuery()).get("post_logout_redirect_uri");
        if (target == null) {
            html(exchange, 200, "<p>Signed out</p>");
            return;
        }
        exchange.getResponseHeaders().add("Location", target);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    /** {@code {"username", "password", "subject", "roles": [...], "claims": {...}}} */
    private void register(HttpExchange exchange) throws IOException {
        JsonObject user = new JsonObject(body(exchange));
        if (!user.containsKey("claims")) {
            user.put("claims", new JsonObject());
        }
        users.put(user.getString("username"), user);
        json(exchange, 204, null);
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<String, String> form(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void json(HttpExchange exchange, int status, JsonObject body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        send(exchange, status, "application/json", body.encode());
    }

    private static void html(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/html; charset=utf-8",
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title></head><body>" + body + "</body></html>");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String escaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Registers a person with the provider (test side). */
    public static void register(String providerUrl, JsonObject user) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(URI.create(providerUrl + "/users"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(user.encode())).build();
            var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 204) {
                throw new IllegalStateException("registering a web user answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
