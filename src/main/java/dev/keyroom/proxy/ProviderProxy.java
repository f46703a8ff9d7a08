package dev.keyroom.proxy;

import dev.keyroom.api.CredentialHeader;
import dev.keyroom.api.Metrics;
import dev.keyroom.api.RequestShape;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.RateLimitedException;
import dev.keyroom.session.PlaceholderRefusedException;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.usage.UsageMeter;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageRecorder;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.util.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider proxy: authenticates the placeholder, puts the tenant's real key on the request,
 * forwards it to the provider's configured upstream only, and streams both bodies through, flushing
 * every chunk (SSE events reach the client as they are sent). Usage is read from the response as it
 * passes and recorded off the request path.
 */
public final class ProviderProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderProxy.class);
  public static final String SKILL_HEADER = "X-Keyroom-Skill";
  private static final Pattern SKILL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int BUFFER = 16 * 1024;
  private static final int MAX_PATH_IN_USAGE = 256;

  /** How many proxy requests one session, and one tenant, may have in flight at once. */
  public record Limits(int perSession, int perTenant) {
    public Limits {
      if (perSession < 1 || perTenant < 1) {
        throw new IllegalArgumentException("proxy concurrency limits must be at least 1");
      }
    }
  }

  private record Provider(CredentialKind kind, URI base, ProxyHeaders headers, String keyPrefix) {}

  private final Map<String, Provider> providers = new LinkedHashMap<>();
  private final ProxyGrants grants;
  private final ProxyDenials denials;
  private final ProxyExchanges exchanges;
  private final UsageRecorder usage;
  private final Metrics metrics;
  private final Clock clock;
  private final Duration readTimeout;
  private final HttpClient client;

  public ProviderProxy(
      Catalog catalog,
      Map<String, String> upstreamOverrides,
      Sessions sessions,
      Workrooms workrooms,
      Vault vault,
      UsageRecorder usage,
      Metrics metrics,
      Clock clock,
      Duration connectTimeout,
      Duration readTimeout,
      Duration grantTtl,
      Limits limits) {
    for (CredentialKind k : catalog.proxied()) {
      CredentialKind.ProxySpec spec = k.proxy();
      URI base = Upstreams.base(k.id(), upstreamOverrides.getOrDefault(k.id(), spec.upstream()));
      String sdkFormat = spec.sdkKeyFormat() == null ? "{key}" : spec.sdkKeyFormat();
      providers.put(
          k.id(),
          new Provider(
              k,
              base,
              new ProxyHeaders(
                  spec.passthroughHeaders() == null
                      ? java.util.List.of()
                      : spec.passthroughHeaders(),
                  spec.keyHeader(),
                  spec.sdkKeyHeader()),
              sdkFormat.substring(0, Math.max(0, sdkFormat.indexOf("{key}")))));
    }
    for (String p : upstreamOverrides.keySet()) {
      if (!providers.containsKey(p)) {
        LOG.warn(
            "upstream override for '{}' ignored: no proxied provider of that id in the catalog", p);
      }
    }
    this.grants = new ProxyGrants(sessions, workrooms, vault, clock, grantTtl);
    this.denials = new ProxyDenials(usage, clock);
    this.exchanges = new ProxyExchanges(limits);
    this.usage = usage;
    this.metrics = metrics;
    this.clock = clock;
    this.readTimeout = readTimeout;
    this.client = Upstreams.client(connectTimeout);
    metrics.describe("keyroom_proxy_requests_total", "Proxied requests by provider and status");
    metrics.describe(
        "keyroom_proxy_aborted_total",
        "Proxied requests aborted because their session ended or their key changed");
    metrics.gauge(
        "keyroom_proxy_in_flight", "Proxied requests in flight on this node", exchanges::inFlight);
  }

  /** The upstream base URL each provider's requests go to. */
  public Map<String, URI> upstreams() {
    Map<String, URI> out = new LinkedHashMap<>();
    providers.forEach((id, p) -> out.put(id, p.base()));
    return Collections.unmodifiableMap(out);
  }

  void handle(Context ctx) {
    long started = System.nanoTime();
    String providerId = ctx.pathParam("provider");
    Provider p = providers.get(providerId);
    if (p == null) {
      throw new NotFoundException(
          "unknown provider '"
              + providerId
              + "'; the proxy serves "
              + String.join(", ", providers.keySet()));
    }
    HttpServletRequest req = ctx.req();
    refuseAbsoluteForm(req);
    String path = ProxyTarget.forwardPath(req.getRequestURI(), providerId);
    URI target =
        ProxyTarget.resolve(p.base(), path, ProxyTarget.forwardQuery(req.getQueryString()));
    String skill = req.getHeader(SKILL_HEADER);
    if (skill != null && !SKILL.matcher(skill).matches()) {
      throw new InvalidInputException(
          SKILL_HEADER, "must be a skill name: 1-64 lowercase letters, digits, '.', '_' or '-'");
    }
    long generation = grants.generation();
    ProxyGrant grant = authorize(p, req, skill);
    ProxyExchanges.Exchange exchange = open(grant, providerId, ctx);
    try {
      if (grants.generation() != generation) {
        // A session end or credential change raced the check above. The exchange is now where an
        // abort finds it; checking again closes the window in which neither would have stopped it.
        ProxyGrant again = authorize(p, req, skill);
        if (!again.credential().equals(grant.credential())) {
          exchange.close();
          exchange = open(again, providerId, ctx);
        }
        grant = again;
      }
      forward(ctx, p, grant, target, path, started, exchange);
    } finally {
      exchange.close();
    }
  }

  private ProxyGrant authorize(Provider p, HttpServletRequest req, String skill) {
    String providerId = p.kind().id();
    try {
      return grants.authorize(providerId, placeholder(p, req), skill);
    } catch (KeyroomException e) {
      metrics.increment(
          "keyroom_proxy_requests_total",
          "provider",
          providerId,
          "status",
          Integer.toString(e.status()));
      if (e instanceof PlaceholderRefusedException refused) {
        denials.record(refused, providerId, placeholder(p, req));
      }
      throw e;
    }
  }

  /** A place among the session's and tenant's requests in flight, or 429. */
  private ProxyExchanges.Exchange open(ProxyGrant grant, String providerId, Context ctx) {
    try {
      return exchanges.open(
          grant,
          ServletContextRequest.getServletContextRequest(ctx.req())
              .getServletChannel()
              .getEndPoint());
    } catch (RateLimitedException e) {
      metrics.increment("keyroom_proxy_requests_total", "provider", providerId, "status", "429");
      throw e;
    }
  }

  /**
   * Jetty takes the authority of an absolute-form target ({@code GET http://host/…}) from the
   * request line and of an origin-form one from the Host header, so a request whose authority
   * differs from its Host header (or that has none) came in absolute form naming another host.
   * Either way the upstream comes from configuration alone; such requests are refused outright.
   */
  private static void refuseAbsoluteForm(HttpServletRequest req) {
    HttpURI uri = ServletContextRequest.getServletContextRequest(req).getHttpURI();
    String host = req.getHeader("Host");
    if (host == null || uri.getHost() == null) {
      throw new InvalidInputException(
          "Host", "is required, and the request target must be a path (origin form)");
    }
    HostPort hp;
    try {
      hp = new HostPort(host);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("Host", "is not a valid host and port");
    }
    int defaultPort = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    int hostPort = hp.getPort() > 0 ? hp.getPort() : defaultPort;
    int uriPort = uri.getPort() > 0 ? uri.getPort() : defaultPort;
    if (!hp.getHost().equalsIgnoreCase(uri.getHost()) || hostPort != uriPort) {
      throw new InvalidInputException(
          "target", "absolute-form request targets are refused; send a path (origin form)");
    }
  }

  /**
   * The placeholder from the header the provider's SDK sends its key in; failing that, from {@code
   * Authorization: Bearer} (Anthropic's Java SDK sends a key that is not shaped like an Anthropic
   * API key as a bearer token).
   */
  private static String placeholder(Provider p, HttpServletRequest req) {
    String raw = req.getHeader(p.kind().proxy().sdkKeyHeader());
    String prefix = p.keyPrefix();
    if (raw != null
        && !prefix.isEmpty()
        && raw.regionMatches(true, 0, prefix, 0, prefix.length())) {
      raw = raw.substring(prefix.length());
    }
    if (raw != null && raw.trim().startsWith(dev.keyroom.session.Sessions.PLACEHOLDER_PREFIX)) {
      return raw.trim();
    }
    String bearer = req.getHeader("Authorization");
    if (bearer != null
        && bearer.regionMatches(true, 0, "Bearer ", 0, 7)
        && bearer.substring(7).trim().startsWith(dev.keyroom.session.Sessions.PLACEHOLDER_PREFIX)) {
      return bearer.substring(7).trim();
    }
    return raw == null ? null : raw.trim();
  }

  private void forward(
      Context ctx,
      Provider p,
      ProxyGrant grant,
      URI target,
      String path,
      long started,
      ProxyExchanges.Exchange exchange) {
    HttpServletRequest req = ctx.req();
    CredentialKind.ProxySpec spec = p.kind().proxy();
    String method = req.getMethod();
    byte[] keyBytes = grant.key().reveal();
    KeyScrubber scrubber = new KeyScrubber(keyBytes);
    java.util.Arrays.fill(keyBytes, (byte) 0);

    Request out =
        client
            .newRequest(target)
            .method(method)
            .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .followRedirects(false);
    Set<String> connection =
        ProxyHeaders.connectionTokens(Collections.list(req.getHeaders("Connection")));
    out.headers(
        h -> {
          h.remove(HttpHeader.USER_AGENT);
          h.remove(HttpHeader.ACCEPT_ENCODING);
          for (String name : Collections.list(req.getHeaderNames())) {
            if (p.headers().forwardRequestHeader(name, connection)) {
              for (String v : Collections.list(req.getHeaders(name))) {
                if (!ProxyHeaders.carriesKeyroomToken(v)) {
                  h.add(name, v);
                }
              }
            }
          }
          h.put(
              spec.keyHeader(),
              CredentialHeader.value(grant.credential().value(), spec.keyFormat(), grant.key()));
          h.put(HttpHeader.ACCEPT_ENCODING, "identity");
        });
    long declared = req.getContentLengthLong();
    boolean hasBody = declared > 0 || req.getHeader("Transfer-Encoding") != null;
    UpstreamBody body =
        hasBody ? new UpstreamBody(req.getContentType(), declared > 0 ? declared : -1) : null;
    if (body != null) {
      out.body(body);
    }
    InputStreamResponseListener listener = new InputStreamResponseListener();
    exchange.attach(out);
    out.send(listener);

    Outcome o = new Outcome(ctx, p, grant, method, path, started, exchange);
    if (body != null && !streamRequestBody(req, body, out, o)) {
      return;
    }
    Response resp;
    exchange.awaitingAnswer(true);
    try {
      resp = listener.get(readTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (exchange.abortedBecause() != null) {
        throw o.failed(
            new ForbiddenException(
                "the request was ended while in flight: " + exchange.abortedBecause()));
      }
      throw o.failed(Upstreams.failure(p.kind().id(), p.base(), e.getCause(), readTimeout));
    } catch (TimeoutException e) {
      out.abort(e);
      throw o.failed(Upstreams.failure(p.kind().id(), p.base(), e, readTimeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.abort(e);
      throw o.failed(
          new BadGatewayException(
              "the proxy was interrupted while waiting for the " + p.kind().id() + " upstream"));
    } finally {
      exchange.awaitingAnswer(false);
    }
    o.status = resp.getStatus();
    streamResponse(ctx.res(), resp, listener, scrubber, out, o);
  }

  /** Copies the client's body to the upstream as it arrives. False when the exchange is over. */
  private boolean streamRequestBody(
      HttpServletRequest req, UpstreamBody body, Request out, Outcome o) {
    byte[] buf = new byte[BUFFER];
    OutputStream os = body.getOutputStream();
    try (InputStream in = req.getInputStream()) {
      int n;
      while (true) {
        try {
          n = in.read(buf);
        } catch (IOException e) {
          // Broken framing (a chunked body cut short or malformed, a body shorter than its
          // Content-Length) is the client's error: 400 naming the rule, never an empty 200.
          out.abort(e);
          o.finish("client_aborted", 0);
          throw new InvalidInputException(null, RequestShape.BODY_FRAMING);
        }
        if (n < 0) {
          break;
        }
        os.write(buf, 0, n);
        o.requestBytes += n;
      }
      os.close();
      return true;
    } catch (IOException e) {
      // The upstream side failed while we wrote: the response listener holds the reason.
      return true;
    }
  }

  private void streamResponse(
      HttpServletResponse res,
      Response resp,
      InputStreamResponseListener listener,
      KeyScrubber scrubber,
      Request out,
      Outcome o) {
    // The scrubber must read what it scrubs: decode what the upstream encoded anyway, refuse what
    // cannot be.
    List<String> codings =
        ContentDecoding.codings(resp.getHeaders().getValuesList(HttpHeader.CONTENT_ENCODING));
    Optional<String> unsupported = ContentDecoding.unsupported(codings);
    if (unsupported.isPresent()) {
      out.abort(new IOException("unsupported content coding"));
      throw o.failed(
          new BadGatewayException(
              "the "
                  + o.provider.kind().id()
                  + " upstream answered with Content-Encoding '"
                  + unsupported.get()
                  + "', which the proxy cannot decode to scrub the key (it asks for identity, and decodes"
                  + " gzip and deflate)"));
    }
    boolean decoding = !codings.isEmpty();
    res.setStatus(resp.getStatus());
    ProxyHeaders.copyResponseHeaders(resp.getHeaders(), res, scrubber, decoding);
    long length = resp.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (length >= 0 && !"HEAD".equals(o.method) && !decoding) {
      res.setContentLengthLong(length);
    }
    res.setHeader("X-Accel-Buffering", "no");
    UsageMeter meter =
        new UsageMeter(
            o.provider.kind().proxy().usage(),
            resp.getHeaders().get(HttpHeader.CONTENT_TYPE),
            name -> resp.getHeaders().get(name));
    byte[] buf = new byte[BUFFER];
    long sent = 0;
    try (InputStream in = ContentDecoding.decode(listener.getInputStream(), codings)) {
      ServletOutputStream os = res.getOutputStream();
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          // The upstream broke off mid-response (or Keyroom ended the exchange): the client must
          // see a
          // broken response, not a complete one.
          if (o.exchange.abortedBecause() != null) {
            LOG.info(
                "{} exchange aborted after {} bytes: {}",
                o.provider.kind().id(),
                sent,
                o.exchange.abortedBecause());
          } else {
            LOG.warn(
                "{} upstream failed after {} bytes: {}",
                o.provider.kind().id(),
                sent,
                Upstreams.describe(e));
          }
          abortClient(o.ctx, e);
          o.units = meter.finish();
          o.finish("failed", sent);
          return;
        }
        if (n < 0) {
          break;
        }
        meter.feed(buf, 0, n);
        sent += n;
        if (!write(os, scrubber.process(buf, 0, n), out)) {
          o.units = meter.finish();
          o.finish("client_aborted", sent);
          return;
        }
      }
      if (!write(os, scrubber.finish(), out)) {
        o.units = meter.finish();
        o.finish("client_aborted", sent);
        return;
      }
    } catch (IOException e) {
      LOG.debug("closing the upstream stream failed: {}", e.getClass().getName());
    }
    o.units = meter.finish();
    o.finish(o.status >= 400 ? "upstream_error" : "ok", sent);
  }

  private static boolean write(ServletOutputStream os, byte[] bytes, Request out) {
    try {
      if (bytes.length > 0) {
        os.write(bytes);
        os.flush();
      }
      return true;
    } catch (IOException e) {
      out.abort(e);
      return false;
    }
  }

  private static void abortClient(Context ctx, Throwable cause) {
    ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(cause);
  }

  /** What happened to one proxied request; recorded once. */
  private final class Outcome {
    final Context ctx;
    final Provider provider;
    final ProxyGrant grant;
    final String method;
    final String path;
    final long started;
    final ProxyExchanges.Exchange exchange;
    long requestBytes;
    int status = 0;
    dev.keyroom.usage.UsageUnits units = dev.keyroom.usage.UsageUnits.NONE;
    boolean recorded;

    Outcome(
        Context ctx,
        Provider provider,
        ProxyGrant grant,
        String method,
        String path,
        long started,
        ProxyExchanges.Exchange exchange) {
      this.exchange = exchange;
      this.ctx = ctx;
      this.provider = provider;
      this.grant = grant;
      this.method = method;
      this.path = path.length() > MAX_PATH_IN_USAGE ? path.substring(0, MAX_PATH_IN_USAGE) : path;
      this.started = started;
    }

    KeyroomException failed(KeyroomException e) {
      status = e.status();
      finish("failed", 0);
      return e;
    }

    void finish(String outcome, long responseBytes) {
      if (recorded) {
        return;
      }
      recorded = true;
      if (exchange.abortedBecause() != null) {
        outcome = "aborted";
      }
      long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      metrics.increment(
          "keyroom_proxy_requests_total",
          "provider",
          provider.kind().id(),
          "status",
          Integer.toString(status));
      usage.record(
          new UsageRecord(
              grant.session().tenant(),
              clock.millis(),
              grant.session().workroom().value(),
              grant.session().id().value(),
              grant.session().user().value(),
              grant.skill(),
              provider.kind().id(),
              grant.credential().value(),
              grant.version(),
              method,
              path,
              status,
              outcome,
              requestBytes,
              responseBytes,
              latency,
              units));
    }
  }

  /**
   * A session ended: its remembered grants are dropped and every request of it in flight is aborted
   * (upstream request and client connection), before this returns.
   */
  public void abortSession(SessionId session) {
    grants.sessionEnded(session);
    metrics.add("keyroom_proxy_aborted_total", exchanges.abortSession(session));
  }

  /**
   * A credential was revoked, replaced or deleted: grants using it are dropped and every request in
   * flight with it is aborted, before this returns.
   */
  public void abortCredential(TenantId tenant, CredentialId credential) {
    grants.credentialChanged(tenant, credential);
    metrics.add("keyroom_proxy_aborted_total", exchanges.abortCredential(tenant, credential));
  }

  /**
   * The first step of an orderly stop: new proxy requests are refused (503) and those in flight run
   * to their end, their usage queued, for up to {@code timeout}. Before the HTTP server stops,
   * which would otherwise cut a request whose client already has its whole answer and record it as
   * failed.
   */
  public void drain(Duration timeout) {
    try {
      if (!exchanges.drain(timeout)) {
        LOG.warn(
            "{} proxy requests still in flight after {} s; stopping anyway",
            exchanges.inFlight(),
            timeout.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For tests and tool changes: forget every remembered grant. */
  public void forgetGrants() {
    grants.clear();
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      LOG.warn("stopping the upstream client failed: {}", e.getClass().getName());
    }
  }
}
