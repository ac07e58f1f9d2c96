@portaly
Feature: Portaly discount codes
  A code is 3–40 characters of [A-Za-z0-9_-], stored upper-case and unique per profile in any case (409
  DUPLICATE_CODE). Its rules say which plans it applies to, the discount and how long it lasts. The code string cannot
  be changed (400 CODE_IMMUTABLE). Lookup is case-insensitive; deleting is soft (the code is disabled and kept).

  Scenario: A code is created upper-case with its rule's defaults filled in
    Given a Portaly merchant
    When the merchant requests "POST /discount-codes" with:
      """
      {"code": "c{{run}}-new", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    Then the Portaly answer is HTTP 201
    And the Portaly answer has:
      | data.code                            | {{code:new}} |
      | data.status                          | active       |
      | data.timesRedeemed                   | 0            |
      | data.rules.0.discount.type           | percent      |
      | data.rules.0.discount.value          | 10           |
      | data.rules.0.duration.type           | repeating    |
      | data.rules.0.duration.cycles         | 1            |

  Scenario: A code string the merchant already has, in any case, is a conflict
    Given a Portaly merchant
    And the merchant has a discount code "dup" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the merchant requests "POST /discount-codes" with:
      """
      {"code": "c{{run}}-dup", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}]}
      """
    Then the Portaly call is refused with HTTP 409 and code "DUPLICATE_CODE"

  Scenario: The code string cannot be changed, the rest can
    Given a Portaly merchant
    And the merchant has a discount code "fixed" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the merchant requests "PUT /discount-codes/{{codeId:fixed}}" with:
      """
      {"code": "OTHER{{run}}", "maxRedemptions": 5}
      """
    Then the Portaly call is refused with HTTP 400 and code "CODE_IMMUTABLE"
    When the merchant requests "PUT /discount-codes/{{codeId:fixed}}" with:
      """
      {"maxRedemptions": 5}
      """
    Then the Portaly answer has:
      | data.code           | {{code:fixed}} |
      | data.maxRedemptions | 5              |

  Scenario: Lookup ignores case, and a deleted code is disabled, hidden from the list and still found by lookup
    Given a Portaly merchant
    And the merchant has a discount code "gone" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the merchant requests "GET /discount-codes/lookup?code=c{{run}}-gone"
    Then the Portaly answer has:
      | data.id     | {{codeId:gone}} |
      | data.status | active          |
    When the merchant requests "DELETE /discount-codes/{{codeId:gone}}"
    Then the Portaly answer has:
      | data.id     | {{codeId:gone}} |
      | data.status | disabled        |
    When the merchant requests "GET /discount-codes/{{codeId:gone}}"
    Then the Portaly answer has:
      | data.status | disabled |
    When the merchant requests "GET /discount-codes/lookup?code={{code:gone}}"
    Then the Portaly answer has:
      | data.status | disabled |

  Scenario: The list holds active codes by default and disabled ones on request, in pages
    Given a new Portaly merchant
    And the merchant has a discount code "one" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    And the merchant has a discount code "two" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 20}}]}
      """
    When the merchant requests "DELETE /discount-codes/{{codeId:one}}"
    And the merchant requests "GET /discount-codes"
    Then the Portaly answer has:
      | data.0.id        | {{codeId:two}} |
      | data.1           | (absent)       |
      | pagination.count | 1              |
    When the merchant requests "GET /discount-codes?status=disabled&limit=1"
    Then the Portaly answer has:
      | data.0.id          | {{codeId:one}} |
      | pagination.hasMore | false          |
    When the merchant requests "GET /discount-codes?status=expired"
    Then the Portaly call is refused as invalid, naming "status"

  Scenario Outline: An invalid code is refused
    Given a Portaly merchant
    When the merchant requests "POST /discount-codes" with:
      """
      <body>
      """
    Then the Portaly call is refused as invalid, naming "<field>"

    Examples:
      | problem                 | field    | body                                                                                                          |
      | too short               | code     | {"code": "AB", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}]}                       |
      | a space in it           | code     | {"code": "A B{{run}}", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}]}               |
      | no rules                | rules    | {"code": "R{{run}}", "rules": []}                                                                             |
      | a percent over 100      | value    | {"code": "P{{run}}", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 101}}]} |
      | an unknown plan         | plan_none | {"code": "U{{run}}", "rules": [{"appliesTo": {"type": "specific", "planIds": ["plan_none"]}, "discount": {"type": "free"}}]} |
      | redeemBy before redeemFrom | redeem | {"code": "W{{run}}", "rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}], "redeemFrom": "2030-01-02T00:00:00Z", "redeemBy": "2030-01-01T00:00:00Z"} |

  Scenario: Another merchant's code is not found
    Given a Portaly merchant
    And another Portaly merchant
    And the merchant has a discount code "mine" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the other merchant requests "GET /discount-codes/{{codeId:mine}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the other merchant requests "GET /discount-codes/lookup?code={{code:mine}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
