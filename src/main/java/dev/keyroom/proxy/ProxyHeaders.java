package dev.keyroom.proxy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Which headers cross the proxy. Inbound: every credential (whatever header it hides in), every
 * hop-by-hop and forwarding header, and Keyroom's own headers are dropped before the real key is
 * set. Outbound: hop-by-hop headers and cookies are dropped; the rest pass, with the key masked.
 * Cookies cross in neither direction (the proxy's client keeps none either): one tenant's upstream
 * cookie can never reach another tenant's call, nor the workroom.
 */
final class ProxyHeaders {
  /** RFC 9110 §7.6.1 connection-specific fields, plus fields the proxy sets itself. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "proxy-authorization",
          "proxy-authenticate",
          "host",
          "content-length",
          "expect",
          "http2-settings");

  /**
   * Client-chosen routing hints: an upstream must never see a host or address the client picked.
   */
  private static final Set<String> FORWARDING =
      Set.of(
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-forwarded-port",
          "x-forwarded-prefix",
          "x-real-ip",
          "via",
          "x-original-url",
          "x-rewrite-url",
          "x-http-method-override");

  /** Any header whose name suggests a credential is dropped, unless the catalog passes it on. */
  private static final Pattern CREDENTIAL_NAME =
      Pattern.compile(
          "(?i).*(authorization|auth-token|api-key|apikey|api_key|cookie|token|secret|password|credential).*");

  private static final Set<String> RESPONSE_DROPPED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "proxy-authenticate",
          "content-length",
          "set-cookie",
          "set-cookie2",
          "alt-svc",
          "server");

  /** Cookies never cross the proxy in either direction, whatever the catalog passes through. */
  private static final Set<String> COOKIES =
      Set.of("cookie", "cookie2", "set-cookie", "set-cookie2");

  /** Fields that describe the encoded bytes; dropped when the proxy sends the body decoded. */
  private static final Set<String> OF_ENCODED_BODY =
      Set.of(
          "content-encoding",
          "content-length",
          "content-md5",
          "content-digest",
          "digest",
          "etag",
          "accept-ranges",
          "content-range");

  /**
   * Security headers every Keyroom response carries; an upstream's own values never replace them.
   */
  private static final Set<String> KEYROOMS_OWN =
      Set.of("x-content-type-options", "x-frame-options", "referrer-policy", "x-accel-buffering");

  /**
   * A Keyroom token (user, service, session, placeholder) anywhere in a value. Token bodies are
   * base64url, so the character after the prefix may be '-' or '_' as well as a letter or digit.
   */
  private static final Pattern KEYROOM_TOKEN =
      Pattern.compile("(?i)(?<![a-z0-9])kr_(u|s|sess|ph)_[a-z0-9_-]");

  private final Set<String> passthrough = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final String keyHeader;
  private final String sdkKeyHeader;

  ProxyHeaders(Iterable<String> passthroughHeaders, String keyHeader, String sdkKeyHeader) {
    passthroughHeaders.forEach(passthrough::add);
    this.keyHeader = keyHeader;
    this.sdkKeyHeader = sdkKeyHeader;
  }

  /**
   * True when an inbound header may be forwarded. {@code connectionTokens} are the names the client
   * listed in its own Connection header (also hop-by-hop).
   */
  boolean forwardRequestHeader(String name, Set<String> connectionTokens) {
    String n = name.toLowerCase(Locale.ROOT);
    if (HOP_BY_HOP.contains(n)
        || FORWARDING.contains(n)
        || COOKIES.contains(n)
        || connectionTokens.contains(n)) {
      return false;
    }
    if (n.equalsIgnoreCase(keyHeader) || n.equalsIgnoreCase(sdkKeyHeader)) {
      return false;
    }
    if (n.startsWith("x-keyroom-") || n.equals("accept-encoding")) {
      return false;
    }
    if (passthrough.contains(n)) {
      return true;
    }
    return !CREDENTIAL_NAME.matcher(n).matches();
  }

  /**
   * True when a value holds a Keyroom token: such a header or query parameter is never forwarded,
   * whatever its name, so no provider's logs hold a credential that opens Keyroom.
   */
  static boolean carriesKeyroomToken(String value) {
    return value != null && KEYROOM_TOKEN.matcher(value).find();
  }

  static boolean forwardResponseHeader(String name, Set<String> connectionTokens) {
    String n = name.toLowerCase(Locale.ROOT);
    return !RESPONSE_DROPPED.contains(n) && !COOKIES.contains(n) && !connectionTokens.contains(n);
  }

  /** True for a field that describes the encoded body, wrong once the body is sent decoded. */
  static boolean describesEncodedBody(String name) {
    return OF_ENCODED_BODY.contains(name.toLowerCase(Locale.ROOT));
  }

  /** True for a header Keyroom sets on every response itself. */
  static boolean keyroomsOwn(String name) {
    return KEYROOMS_OWN.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Copies the upstream's response headers that may cross, each value scrubbed of the key. The
   * first value of a name replaces what the server had set already (Date), so each reaches the
   * client once; Keyroom's own security headers are kept. With {@code decoded}, fields describing
   * the encoded body are left out.
   */
  static void copyResponseHeaders(
      HttpFields upstream, HttpFields.Mutable res, KeyScrubber scrubber, boolean decoded) {
    Set<String> connection = connectionTokens(upstream.getValuesList(HttpHeader.CONNECTION));
    Set<String> seen = new HashSet<>();
    for (HttpField f : upstream) {
      String name = f.getName().toLowerCase(Locale.ROOT);
      if (!forwardResponseHeader(name, connection)
          || (decoded && describesEncodedBody(name))
          || keyroomsOwn(name)) {
        continue;
      }
      String value = scrubber.scrub(f.getValue());
      if (seen.add(name)) {
        res.put(f.getName(), value);
      } else {
        res.add(f.getName(), value);
      }
    }
  }

  /** The lower-cased names listed in Connection header values. */
  static Set<String> connectionTokens(Iterable<String> connectionValues) {
    Set<String> out = new TreeSet<>();
    for (String v : connectionValues) {
      for (String t : v.split(",")) {
        String s = t.trim().toLowerCase(Locale.ROOT);
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
