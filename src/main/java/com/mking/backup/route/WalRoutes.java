package com.mking.backup.route;

import com.mking.backup.source.postgres.wal.WalPushEndpoint;
import org.apache.camel.builder.RouteBuilder;

/**
 * WAL archiving over the daemon's HTTP port (daemon only): PostgreSQL's archive_command is
 * {@code curl -fsS -H "Expect:" -T %p http://HOST:8080/wal/<job>/%f}.
 */
public final class WalRoutes extends RouteBuilder {

    @Override
    public void configure() {
        WalPushEndpoint endpoint = getCamelContext().getRegistry().findSingleByType(WalPushEndpoint.class);
        // useBodyHandler=false: the body stays unread until the endpoint has checked the request line and headers
        from("platform-http:/wal/{job}/{file}?httpMethodRestrict=PUT&useBodyHandler=false").routeId("wal-push")
                .process(endpoint::handle);
    }
}
