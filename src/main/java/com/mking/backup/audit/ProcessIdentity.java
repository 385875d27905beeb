package com.mking.backup.audit;

/** Names this process in audit rows ("host:pid"), so that a run can be traced to the process that owned it. */
public final class ProcessIdentity {

    private static final String CURRENT = host() + ":" + ProcessHandle.current().pid();

    private ProcessIdentity() {
    }

    public static String current() {
        return CURRENT;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }
}
