package dev.keyroom.spend;

/**
 * What one request cost, in nano-dollars (rounded up), and at which rate; or why it has no price. A
 * request without a price is "unpriced", never zero.
 */
public record Cost(Long nanoUsd, Rate rate, String unpricedReason) {
  static Cost priced(long nanoUsd, Rate rate) {
    return new Cost(nanoUsd, rate, null);
  }

  static Cost unpriced(String reason) {
    return new Cost(null, null, reason);
  }

  public boolean isPriced() {
    return nanoUsd != null;
  }
}
