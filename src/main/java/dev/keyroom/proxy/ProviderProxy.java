package dev.keyroom.proxy;

import dev.keyroom.api.CredentialHeader;
import dev.keyroom.api.HttpServer;
import dev.keyroom.api.Metrics;
import dev.keyroom.api.RequestShape;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.MethodNotAllowedException;
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
import dev.keyroom.usage.UsageUnits;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.Vault;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.HostPort;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider proxy: authenticates the placeholder, puts the tenant's real key on the request,
 * forwards it to the provider's configured upstream only, and streams both bodies through, each
 * chunk written as it arrives (SSE events reach the client as they are sent). A request goes
 * through three stages: admission (on the request's thread: placeholder, grant, places in flight),
 * forward (asynchronous: no thread waits for the upstream or the caller) and settle (its usage row
 * queued for the background writer, its place given back). Served by a core Jetty handler ahead of
 * the servlet and Javalin stack ({@link ProxyRoutes}).
 */
public final class ProviderProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderProxy.class);
  public static final String SKILL_HEADER = "X-Keyroom-Skill";
  private static final Pattern SKILL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int BUFFER = 16 * 1024;
  private static final int MAX_PATH_IN_USAGE = 256;
  private static final String PREFIX = "/proxy/";
  private static final Pattern PROVIDER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
  private static final byte[] EMPTY = new byte[0];
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  /**
   * How many proxy requests one session, and one tenant, may have in flight at once, and how many
   * connections one provider's upstream may have open (a stream holds one for its whole length).
   */
  public record Limits(int perSession, int perTenant, int upstreamConnections) {
    public Limits {
      if (perSession < 1 || perTenant < 1 || upstreamConnections < 1) {
        throw new IllegalArgumentException("proxy limits must be at least 1");
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
    this.client = Upstreams.client(connectTimeout, limits.upstreamConnections());
    metrics.describe("keyroom_proxy_requests_total", "Proxied requests by provider and status");
    metrics.describe(
        "keyroom_proxy_retries_total",
        "Proxied requests sent again because the upstream closed a pooled connection unanswered");
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

  /**
   * Admission, on a thread that may block (a grant not yet cached is read from the database here):
   * the provider, the method and target, the placeholder, the session's and tenant's places in
   * flight. A refusal is thrown (a {@link KeyroomException}); once this returns, the exchange owns
   * {@code callback} and forwards and settles without blocking any thread.
   */
  void handle(Request request, Response response, Callback callback) {
    long started = System.nanoTime();
    String rawPath = request.getHttpURI().getPath();
    String providerId = providerOf(rawPath);
    Provider p = providers.get(providerId);
    if (p == null) {
      throw new NotFoundException(
          (PROVIDER_ID.matcher(providerId).matches()
                  ? "unknown provider '" + providerId + "'"
                  : "unknown provider")
              + "; the proxy serves "
              + String.join(", ", providers.keySet()));
    }
    String method = request.getMethod();
    if (!METHODS.contains(method)) {
      throw new MethodNotAllowedException(
          HttpMethod.CONNECT.is(method)
              ? "CONNECT is not supported: the proxy forwards only to each provider's configured"
                  + " upstream"
              : "the proxy forwards " + String.join(", ", METHODS) + " only");
    }
    refuseAbsoluteForm(request);
    String path = ProxyTarget.forwardPath(rawPath, providerId);
    URI target =
        ProxyTarget.resolve(
            p.base(), path, ProxyTarget.forwardQuery(request.getHttpURI().getQuery()));
    String skill = request.getHeaders().get(SKILL_HEADER);
    if (skill != null && !SKILL.matcher(skill).matches()) {
      throw new InvalidInputException(
          SKILL_HEADER, "must be a skill name: 1-64 lowercase letters, digits, '.', '_' or '-'");
    }
    long generation = grants.generation();
    ProxyGrant grant = authorize(p, request, skill);
    ProxyExchanges.Exchange exchange = open(grant, providerId, request);
    try {
      if (grants.generation() != generation) {
        // A session end or credential change raced the check above. The exchange is now where an
        // abort finds it; checking again closes the window in which neither would have stopped it.
        ProxyGrant again = authorize(p, request, skill);
        if (!again.credential().equals(grant.credential())) {
          exchange.close();
          exchange = open(again, providerId, request);
        }
        grant = again;
      }
    } catch (RuntimeException e) {
      exchange.close();
      throw e;
    }
    Call call = new Call(p, grant, exchange, request, response, callback, method, path, started);
    try {
      call.send(target);
    } catch (RuntimeException e) {
      // Refused before anything went out (a stored key that cannot be a header value): the
      // caller's answer is the refusal, and the place in flight is given back.
      if (call.dispatched()) {
        throw new IllegalStateException("the upstream request failed after it was sent", e);
      }
      exchange.close();
      throw e;
    }
  }

  /** The provider segment of {@code /proxy/{provider}/…}. */
  private static String providerOf(String rawPath) {
    int from = PREFIX.length();
    int slash = rawPath.indexOf('/', from);
    return slash < 0 ? rawPath.substring(from) : rawPath.substring(from, slash);
  }

  private ProxyGrant authorize(Provider p, Request request, String skill) {
    String providerId = p.kind().id();
    try {
      return grants.authorize(providerId, placeholder(p, request), skill);
    } catch (KeyroomException e) {
      metrics.increment(
          "keyroom_proxy_requests_total",
          "provider",
          providerId,
          "status",
          Integer.toString(e.status()));
      if (e instanceof PlaceholderRefusedException refused) {
        denials.record(refused, providerId, placeholder(p, request));
      }
      throw e;
    }
  }

  /** A place among the session's and tenant's requests in flight, or 429. */
  private ProxyExchanges.Exchange open(ProxyGrant grant, String providerId, Request request) {
    try {
      return exchanges.open(grant, request.getConnectionMetaData().getConnection().getEndPoint());
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
  private static void refuseAbsoluteForm(Request request) {
    HttpURI uri = request.getHttpURI();
    String host = request.getHeaders().get(HttpHeader.HOST);
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
  private static String placeholder(Provider p, Request request) {
    String raw = request.getHeaders().get(p.kind().proxy().sdkKeyHeader());
    String prefix = p.keyPrefix();
    if (raw != null
        && !prefix.isEmpty()
        && raw.regionMatches(true, 0, prefix, 0, prefix.length())) {
      raw = raw.substring(prefix.length());
    }
    if (raw != null && raw.trim().startsWith(Sessions.PLACEHOLDER_PREFIX)) {
      return raw.trim();
    }
    String bearer = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (bearer != null
        && bearer.regionMatches(true, 0, "Bearer ", 0, 7)
        && bearer.substring(7).trim().startsWith(Sessions.PLACEHOLDER_PREFIX)) {
      return bearer.substring(7).trim();
    }
    return raw == null ? null : raw.trim();
  }

  /**
   * One admitted request: forward (the upstream request with the real key, the client's body
   * streamed to it, the answer streamed back chunk by chunk, scrubbed and metered as it passes) and
   * settle (one usage row, the place in flight given back, then the caller's exchange completed).
   * Runs on the upstream client's and the server's I/O threads and never blocks them: each chunk is
   * written when the previous write has completed, and read when the upstream has one.
   */
  private final class Call implements org.eclipse.jetty.client.Response.Listener {
    private final Provider provider;
    private final ProxyGrant grant;
    private final ProxyExchanges.Exchange exchange;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String method;
    private final String path;
    private final long started;
    private final KeyScrubber scrubber;
    private final AtomicBoolean bodyTaken = new AtomicBoolean();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile org.eclipse.jetty.client.Request out;
    private URI target;
    private boolean retried;
    private volatile boolean dispatched;
    private ClientBody body;
    private List<String> codings = List.of();
    private String unsupportedCoding;
    private UsageMeter meter;
    private volatile boolean answered;
    private int status;
    private long sent;

    Call(
        Provider provider,
        ProxyGrant grant,
        ProxyExchanges.Exchange exchange,
        Request request,
        Response response,
        Callback callback,
        String method,
        String path,
        long started) {
      this.provider = provider;
      this.grant = grant;
      this.exchange = exchange;
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.method = method;
      this.path = path.length() > MAX_PATH_IN_USAGE ? path.substring(0, MAX_PATH_IN_USAGE) : path;
      this.started = started;
      byte[] keyBytes = grant.key().reveal();
      this.scrubber = new KeyScrubber(keyBytes);
      java.util.Arrays.fill(keyBytes, (byte) 0);
    }

    void send(URI target) {
      this.target = target;
      sendOnce();
    }

    private void sendOnce() {
      CredentialKind.ProxySpec spec = provider.kind().proxy();
      HttpFields in = request.getHeaders();
      out =
          client
              .newRequest(target)
              .method(method)
              .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .followRedirects(false);
      Set<String> connection =
          ProxyHeaders.connectionTokens(in.getValuesList(HttpHeader.CONNECTION));
      out.headers(
          h -> {
            h.remove(HttpHeader.USER_AGENT);
            h.remove(HttpHeader.ACCEPT_ENCODING);
            for (HttpField f : in) {
              if (provider.headers().forwardRequestHeader(f.getName(), connection)
                  && !ProxyHeaders.carriesKeyroomToken(f.getValue())) {
                h.add(f.getName(), f.getValue());
              }
            }
            h.put(
                spec.keyHeader(),
                CredentialHeader.value(grant.credential().value(), spec.keyFormat(), grant.key()));
            h.put(HttpHeader.ACCEPT_ENCODING, "identity");
          });
      long declared = request.getLength();
      if (declared > 0 || in.contains(HttpHeader.TRANSFER_ENCODING)) {
        body =
            new ClientBody(request, in.get(HttpHeader.CONTENT_TYPE), declared > 0 ? declared : -1);
        out.body(body);
      }
      exchange.attach(out);
      exchange.awaitingAnswer(true);
      dispatched = true;
      out.send(this);
    }

    /** True once the upstream request was handed to the client: the exchange owns the callback. */
    boolean dispatched() {
      return dispatched;
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response upstream) {
      try {
        takeHeaders(upstream);
      } catch (Throwable t) {
        // Unanswered (answered stays false): the abort completes the exchange as a 502.
        LOG.error("proxy could not take the upstream's answer: {}", t.getClass().getName());
        upstream.abort(t);
      }
    }

    private void takeHeaders(org.eclipse.jetty.client.Response upstream) {
      exchange.awaitingAnswer(false);
      // The scrubber must read what it scrubs: decode what the upstream encoded anyway, refuse what
      // cannot be.
      codings =
          ContentDecoding.codings(upstream.getHeaders().getValuesList(HttpHeader.CONTENT_ENCODING));
      Optional<String> unsupported = ContentDecoding.unsupported(codings);
      if (unsupported.isPresent()) {
        unsupportedCoding = unsupported.get();
        upstream.abort(new IOException("unsupported content coding"));
        return;
      }
      boolean decoding = !codings.isEmpty();
      status = upstream.getStatus();
      response.setStatus(status);
      HttpFields.Mutable headers = response.getHeaders();
      ProxyHeaders.copyResponseHeaders(upstream.getHeaders(), headers, scrubber, decoding);
      long length = upstream.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
      if (length >= 0 && !HttpMethod.HEAD.is(method) && !decoding) {
        headers.put(HttpHeader.CONTENT_LENGTH, length);
      }
      headers.put("X-Accel-Buffering", "no");
      meter =
          new UsageMeter(
              provider.kind().proxy().usage(),
              upstream.getHeaders().get(HttpHeader.CONTENT_TYPE),
              name -> upstream.getHeaders().get(name));
      answered = true;
    }

    @Override
    public void onContentSource(org.eclipse.jetty.client.Response upstream, Content.Source source) {
      if (!answered || !bodyTaken.compareAndSet(false, true)) {
        return;
      }
      if (codings.isEmpty()) {
        new Relay(source).iterate();
      } else {
        Thread.ofVirtual().name("keyroom-proxy-decode").start(() -> relayDecoded(source));
      }
    }

    @Override
    public void onComplete(Result result) {
      try {
        if (!answered) {
          refuse(result.getFailure());
        } else if (bodyTaken.compareAndSet(false, true)) {
          // An answer that came without a body to read (HEAD, 204, 304): only the end to send.
          if (result.isFailed()) {
            broken(result.getFailure());
          } else {
            response.write(
                true,
                ByteBuffer.wrap(scrubber.finish()),
                Callback.from(() -> ended(null), this::clientGone));
          }
        }
      } catch (Throwable t) {
        LOG.error("proxy exchange failed: {}", t.getClass().getName());
        settle("failed", () -> callback.failed(t));
      }
    }

    /** The upstream gave no answer to pass on: answer the caller with what went wrong. */
    private void refuse(Throwable cause) {
      if (!retried && closedUnanswered(cause)) {
        // Most likely a pooled connection the upstream had already closed (servers close idle
        // connections, some after every answer without saying so). The method is idempotent and
        // there is no body, so sending it again is safe either way: once more, on another one.
        retried = true;
        metrics.increment("keyroom_proxy_retries_total", "provider", provider.kind().id());
        LOG.debug("{} upstream closed the connection unanswered; retrying", provider.kind().id());
        sendOnce();
        return;
      }
      answerFailure(cause);
    }

    /**
     * Answers a failure while nothing of an answer has been sent: Keyroom ended the exchange (403),
     * the caller's body was malformed (400), or the upstream failed or sent what cannot be scrubbed
     * (502, 504).
     */
    private void answerFailure(Throwable cause) {
      KeyroomException e;
      String outcome = "failed";
      if (exchange.abortedBecause() != null) {
        e =
            new ForbiddenException(
                "the request was ended while in flight: " + exchange.abortedBecause());
      } else if (body != null && body.framing() != null) {
        // Broken framing (a chunked body cut short or malformed, a body shorter than its
        // Content-Length) is the client's error: 400 naming the rule, never an empty 200.
        e = new InvalidInputException(null, RequestShape.BODY_FRAMING);
        outcome = "client_aborted";
      } else if (unsupportedCoding != null) {
        e =
            new BadGatewayException(
                "the "
                    + provider.kind().id()
                    + " upstream answered with Content-Encoding '"
                    + unsupportedCoding
                    + "', which the proxy cannot decode to scrub the key (it asks for identity, and"
                    + " decodes gzip and deflate)");
      } else {
        e = Upstreams.failure(provider.kind().id(), provider.base(), cause, readTimeout);
        LOG.info(
            "{} upstream failed before answering: {}",
            provider.kind().id(),
            Upstreams.describeChain(cause));
      }
      status = e.status();
      KeyroomException answer = e;
      settle(
          outcome,
          () ->
              HttpServer.writeError(
                  response, callback, answer.status(), answer.code(), answer.getMessage()));
    }

    /**
     * True when the upstream closed the connection before any byte of an answer, Keyroom did not
     * end the exchange, the method is idempotent (RFC 9110: GET, HEAD, OPTIONS, PUT, DELETE — a
     * closed connection does not tell whether the upstream had acted on the request) and the
     * request has no body, so it can be sent again exactly as it was. (A body streams from the
     * caller and is not kept; the failed attempt has failed the caller's upload with it.)
     */
    private boolean closedUnanswered(Throwable cause) {
      if (exchange.abortedBecause() != null
          || unsupportedCoding != null
          || body != null
          || !IDEMPOTENT.contains(method)) {
        return false;
      }
      for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof java.io.EOFException) {
          return true;
        }
      }
      return false;
    }

    /** The upstream broke off mid-answer (or Keyroom ended the exchange): the caller's is cut. */
    private void broken(Throwable cause) {
      if (!response.isCommitted()) {
        // Nothing of the answer has left yet (its headers came, no byte of its body): the caller
        // gets a refusal that says what happened, not the upstream's headers over a cut body.
        response.reset();
        answerFailure(cause);
        return;
      }
      if (exchange.abortedBecause() != null) {
        LOG.info(
            "{} exchange aborted after {} bytes: {}",
            provider.kind().id(),
            sent,
            exchange.abortedBecause());
      } else {
        LOG.warn(
            "{} upstream failed after {} bytes: {}",
            provider.kind().id(),
            sent,
            Upstreams.describe(cause));
      }
      settle("failed", () -> callback.failed(cause));
    }

    /** The caller stopped reading (or its connection was closed): the upstream request goes too. */
    private void clientGone(Throwable cause) {
      out.abort(cause);
      settle("client_aborted", () -> callback.failed(cause));
    }

    /** The whole answer was relayed, or {@code upstreamFailure} broke it off. */
    private void ended(Throwable upstreamFailure) {
      if (upstreamFailure != null) {
        broken(upstreamFailure);
      } else {
        settle(status >= 400 ? "upstream_error" : "ok", callback::succeeded);
      }
    }

    /**
     * Records the request once (its usage row queued, its place in flight given back), then runs
     * {@code then}, which completes the caller's exchange. The queue is normally open; when it is
     * full, waiting for a place (the back-pressure that keeps usage from being lost) happens on a
     * virtual thread of its own, never on an I/O thread, and the caller's exchange stays open
     * meanwhile.
     */
    private void settle(String outcome, Runnable then) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
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
      UsageRecord use =
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
              body == null ? 0 : body.bytes(),
              sent,
              latency,
              meter == null ? UsageUnits.NONE : meter.finish());
      if (usage.offer(use)) {
        exchange.close();
        then.run();
      } else {
        Thread.ofVirtual()
            .name("keyroom-usage-wait")
            .start(
                () -> {
                  usage.record(use);
                  exchange.close();
                  then.run();
                });
      }
    }

    /**
     * Relays an identity-coded answer: reads a chunk when the upstream has one, meters and scrubs
     * it, writes it, and reads the next when the write has completed.
     */
    private final class Relay extends IteratingCallback {
      private final Content.Source source;
      private Throwable upstreamFailure;
      private boolean last;

      Relay(Content.Source source) {
        this.source = source;
      }

      @Override
      protected Action process() {
        if (last) {
          return Action.SUCCEEDED;
        }
        while (true) {
          Content.Chunk chunk = source.read();
          if (chunk == null) {
            source.demand(this::iterate);
            return Action.IDLE;
          }
          if (Content.Chunk.isFailure(chunk)) {
            upstreamFailure = chunk.getFailure();
            return Action.SUCCEEDED;
          }
          ByteBuffer b = chunk.getByteBuffer();
          int n = b.remaining();
          last = chunk.isLast();
          byte[] bytes;
          if (n > 0) {
            byte[] raw = new byte[n];
            b.get(raw);
            meter.feed(raw, 0, n);
            sent += n;
            bytes = scrubber.process(raw, 0, n);
          } else {
            bytes = EMPTY;
          }
          chunk.release();
          if (last) {
            byte[] tail = scrubber.finish();
            if (tail.length > 0) {
              byte[] all = java.util.Arrays.copyOf(bytes, bytes.length + tail.length);
              System.arraycopy(tail, 0, all, bytes.length, tail.length);
              bytes = all;
            }
          } else if (bytes.length == 0) {
            continue;
          }
          response.write(last, ByteBuffer.wrap(bytes), this);
          return Action.SCHEDULED;
        }
      }

      @Override
      protected void onCompleteSuccess() {
        ended(upstreamFailure);
      }

      @Override
      protected void onCompleteFailure(Throwable cause) {
        clientGone(cause);
      }

      @Override
      public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
      }
    }

    /**
     * Relays an answer the upstream compressed although asked for identity: decoded as it streams,
     * on a virtual thread of its own (the decoders read a stream), then scrubbed and metered like
     * any other.
     */
    private void relayDecoded(Content.Source source) {
      byte[] buf = new byte[BUFFER];
      try (InputStream in = ContentDecoding.decode(Content.Source.asInputStream(source), codings)) {
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (IOException e) {
            ended(e);
            return;
          }
          if (n < 0) {
            break;
          }
          meter.feed(buf, 0, n);
          sent += n;
          if (!write(false, scrubber.process(buf, 0, n))) {
            return;
          }
        }
        if (write(true, scrubber.finish())) {
          ended(null);
        }
      } catch (IOException e) {
        LOG.debug("closing the upstream stream failed: {}", e.getClass().getName());
      } catch (RuntimeException | Error e) {
        LOG.error("proxy decoding relay failed: {}", e.getClass().getName());
        out.abort(e);
        broken(e);
      }
    }

    /** A blocking write, for the decoding relay's own thread. False when the caller has gone. */
    private boolean write(boolean last, byte[] bytes) {
      if (bytes.length == 0 && !last) {
        return true;
      }
      FutureCallback done = new FutureCallback();
      response.write(last, ByteBuffer.wrap(bytes), done);
      try {
        done.block();
        return true;
      } catch (IOException e) {
        clientGone(e);
        return false;
      }
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
