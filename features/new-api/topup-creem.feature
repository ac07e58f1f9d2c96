@new-api @topup @creem
Feature: New-API: top-up through Creem, the suite playing Creem
  A user buys a configured Creem product (POST /api/user/creem/pay with its product_id and payment_method "creem"; the
  products are the target's creem_products from GET /api/user/topup/info): the target places a pending order of the
  product's quota and opens a Creem checkout whose request_id is the trade number (answered as order_id). The suite then
  sends the target's webhook (POST /api/creem/webhook) what Creem would, signed with the profile's
  newApiCreemWebhookSecret (new-api.md §5.13: creem-signature, the hex HMAC-SHA256 of the raw body). A checkout.completed
  whose order is paid and one-time credits the product's quota as is (not × 500,000) once; repeats credit nothing more;
  a missing or wrong signature is 401, an unknown order 400; other events and unpaid orders are acknowledged and ignored.

  Scenario: A signed checkout.completed credits the product's quota once and marks the order paid
    Given a new New-API user
    And the user has placed a Creem order
    Then the user's order is "pending" in its own list
    When Creem sends "checkout.completed" for the order
    Then the webhook is answered HTTP 200
    And the user's order is "success" in its own list
    And the user's quota has gone up by the product's quota

  @concurrency
  Scenario: The same webhook again and five copies at once are acknowledged and credited once
    Given a new New-API user
    And the user has placed a Creem order
    When Creem sends "checkout.completed" for the order
    And Creem sends the same webhook again
    Then the webhook is answered HTTP 200
    When Creem sends the same webhook 5 times at once
    Then each webhook is answered HTTP 200
    And the user's quota has gone up by the product's quota
    And the user's order is "success" in its own list

  @concurrency
  Scenario: Five copies of the webhook at once for a pending order credit it once
    Given a new New-API user
    And the user has placed a Creem order
    When Creem sends "checkout.completed" for the order 5 times at once
    Then each webhook is answered HTTP 200
    And the user's quota has gone up by the product's quota
    And the user's order is "success" in its own list

  Scenario: Other events, an unpaid order and a subscription order are acknowledged and credit nothing
    Given a new New-API user
    And the user has placed a Creem order
    When Creem sends "subscription.paid" for the order
    Then the webhook is answered HTTP 200
    When Creem sends "checkout.completed" for the order with order status "pending" and type "onetime"
    Then the webhook is answered HTTP 200
    When Creem sends "checkout.completed" for the order with order status "paid" and type "recurring"
    Then the webhook is answered HTTP 200
    And the user's quota is unchanged
    And the user's order is "pending" in its own list
    When Creem sends "checkout.completed" for the order
    Then the webhook is answered HTTP 200
    And the user's quota has gone up by the product's quota

  Scenario: A body altered after signing is refused with 401 and credits nothing
    Given a new New-API user
    And the user has placed a Creem order
    When Creem sends "checkout.completed" for the order, signed as pending and then altered to paid
    Then the webhook is answered HTTP 401
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: A webhook signed with another secret or not signed is refused with 401 and credits nothing
    Given a new New-API user
    And the user has placed a Creem order
    When Creem sends "checkout.completed" for the order, signed with another secret
    Then the webhook is answered HTTP 401
    When Creem sends "checkout.completed" for the order without a signature
    Then the webhook is answered HTTP 401
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: A validly signed webhook for an order the target never placed is refused with 400
    Given a new New-API user
    When Creem sends "checkout.completed" for an order the target never placed
    Then the webhook is answered HTTP 400
    And the user's quota is unchanged

  Scenario: An order needs payment_method "creem" and a configured product
    Given a new New-API user
    When the user calls "POST /api/user/creem/pay" with body:
      """
      {"product_id": "prod_anything"}
      """
    Then the payment answer is "error" with data "不支持的支付渠道"
    When the user calls "POST /api/user/creem/pay" with body:
      """
      {"payment_method": "creem"}
      """
    Then the payment answer is "error" with data "请选择产品"
    When the user calls "POST /api/user/creem/pay" with body:
      """
      {"product_id": "prod_not_configured", "payment_method": "creem"}
      """
    Then the payment answer is "error" with data "产品不存在"
