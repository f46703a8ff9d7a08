package dev.keyroom.vault;

import java.util.List;

/** A named capability of a tenant and the credential kinds it uses. */
public record Skill(
    String id,
    String name,
    String description,
    List<String> kinds,
    long createdAt,
    long updatedAt) {}
