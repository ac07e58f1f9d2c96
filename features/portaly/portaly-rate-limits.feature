@portaly @rate-limit
Feature: Portaly rate limits
  Each API key may send 20 writes per one-minute window (and 120 reads); over the limit the answer is 429 with
  Retry-After and {"error": "Rate limit exceeded. Try again in N seconds."}. Limited answers carry X-RateLimit-Limit.
  Creating a checkout session is not limited. The scenario uses a key of its own, made through the operator route.

  Scenario: The 21st write of a minute is refused, and checkout creation is not limited
    Given a new Portaly merchant
    And the merchant has a one-time plan "pack" of 300
    When the merchant uses up its writes of the minute
    Then the merchant's next write is refused with HTTP 429 and Retry-After
    When the merchant creates checkout session "s1" for plan "pack"
    Then the Portaly answer has:
      | data.sessionId | {{session:s1}} |
      | data.amount    | 300            |
