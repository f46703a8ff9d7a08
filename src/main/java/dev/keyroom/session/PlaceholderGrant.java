package dev.keyroom.session;

/** A placeholder that authenticated: the live session it belongs to and its provider. */
public record PlaceholderGrant(SessionInfo session, String provider) {}
