@finance @recharge
Feature: Payment API
  Other businesses pay through POST /api/payment/create (any bizType but RECHARGE): one payment order per
  business order, placed at the channel, with its status (asking the channel while unpaid) and close. A paid
  order cannot be closed. Bad input on every recharge and payment route is a 4xx in the Finance envelope.

  Scenario Outline: A payment is created, read and closed on <channel>
    Given a signed-in user
    When the user creates a COURSE payment of 250 fen on <channel> for business order "course-1"
    Then the payment is NOTPAY for 250 fen on <channel>, with a code to pay
    And the payment status is NOTPAY
    When the user creates a COURSE payment of 250 fen on <channel> for business order "course-1"
    Then the answer is the same payment order
    When the user closes the order
    Then the close answers the order CLOSED
    And the payment status is CLOSED
    And the balance is unchanged

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A paid payment is SUCCESS, credits no coins, and cannot be closed on <channel>
    Given a signed-in user
    And the user has created a COURSE payment of 300 fen on <channel> for business order "course-2"
    When the buyer pays the order on the sandbox
    Then the sandbox's notification was acknowledged
    And the payment is SUCCESS with the amount paid and the channel's trade number
    And the balance is unchanged
    When the user closes the order
    Then the request fails with HTTP 409 and code 40900
    And the payment status is SUCCESS

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario: A paid recharge cannot be closed
    Given a new user without coins
    And a recharge of plan "coins-100" the buyer has paid on wechat
    When the user closes the order
    Then the request fails with HTTP 409 and code 40900
    And the recharge is PAID and credited 100 coins
    And the balance is 100 coins

  Scenario: The same business order with another amount is a conflict
    Given a signed-in user
    And the user has created a COURSE payment of 250 fen on wechat for business order "course-3"
    When the user creates a COURSE payment of 260 fen on wechat for business order "course-3"
    Then the request fails with HTTP 409 and code 40900

  Scenario: Recharges cannot be created through the payment API
    Given a signed-in user
    When the user creates a RECHARGE payment of 100 fen on wechat for business order "recharge-1"
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "bizType"

  Scenario Outline: Bad input to a recharge or payment route is refused in the Finance envelope
    Given a signed-in user
    When the user sends "<request>" with body:
      """
      <body>
      """
    Then the request fails with HTTP <status> and code <code>

    Examples:
      | case                        | request                               | body                                                                                           | status | code  |
      | create: no planId           | POST /api/finance/recharge/create     | {"channel":"wechat"}                                                                           | 400    | 40000 |
      | create: unknown plan        | POST /api/finance/recharge/create     | {"planId":"no-such-plan","channel":"wechat"}                                                   | 404    | 40400 |
      | create: bad planId          | POST /api/finance/recharge/create     | {"planId":"coins 100","channel":"wechat"}                                                      | 400    | 40000 |
      | create: no channel          | POST /api/finance/recharge/create     | {"planId":"coins-100"}                                                                         | 400    | 40000 |
      | create: unknown channel     | POST /api/finance/recharge/create     | {"planId":"coins-100","channel":"paypal"}                                                      | 400    | 40000 |
      | create: not JSON            | POST /api/finance/recharge/create     | planId=coins-100                                                                               | 400    | 40000 |
      | records: page 0             | POST /api/finance/recharge/records    | {"page":0,"pageSize":10}                                                                       | 400    | 40000 |
      | records: pageSize 0         | POST /api/finance/recharge/records    | {"page":1,"pageSize":0}                                                                        | 400    | 40000 |
      | records: pageSize 101       | POST /api/finance/recharge/records    | {"page":1,"pageSize":101}                                                                      | 400    | 40000 |
      | records: unknown status     | POST /api/finance/recharge/records    | {"status":"DONE"}                                                                              | 400    | 40000 |
      | records: unknown channel    | POST /api/finance/recharge/records    | {"channel":"paypal"}                                                                           | 400    | 40000 |
      | summary: start after end    | POST /api/finance/recharge/summary    | {"startTime":"2026-01-02T00:00:00Z","endTime":"2026-01-01T00:00:00Z"}                          | 400    | 40000 |
      | summary: not a time         | POST /api/finance/recharge/summary    | {"startTime":"yesterday"}                                                                      | 400    | 40000 |
      | payment: negative amount    | POST /api/payment/create              | {"bizType":"COURSE","bizOrderNo":"{{key}}","channel":"wechat","amount":-1,"description":"x"}  | 400    | 40000 |
      | payment: zero amount        | POST /api/payment/create              | {"bizType":"COURSE","bizOrderNo":"{{key}}","channel":"wechat","amount":0,"description":"x"}   | 400    | 40000 |
      | payment: no bizType         | POST /api/payment/create              | {"bizOrderNo":"{{key}}","channel":"wechat","amount":100,"description":"x"}                    | 400    | 40000 |
      | payment: lower-case bizType | POST /api/payment/create              | {"bizType":"course","bizOrderNo":"{{key}}","channel":"wechat","amount":100,"description":"x"} | 400    | 40000 |
      | payment: no bizOrderNo      | POST /api/payment/create              | {"bizType":"COURSE","channel":"wechat","amount":100,"description":"x"}                        | 400    | 40000 |
      | payment: unknown channel    | POST /api/payment/create              | {"bizType":"COURSE","bizOrderNo":"{{key}}","channel":"paypal","amount":100,"description":"x"} | 400    | 40000 |
      | payment: no description     | POST /api/payment/create              | {"bizType":"COURSE","bizOrderNo":"{{key}}","channel":"wechat","amount":100}                   | 400    | 40000 |
      | payment: amount as text     | POST /api/payment/create              | {"bizType":"COURSE","bizOrderNo":"{{key}}","channel":"wechat","amount":"100","description":"x"} | 400  | 40000 |

  Scenario Outline: A bad query or an unknown order number is refused in the Finance envelope
    Given a signed-in user
    When the user sends "<request>"
    Then the request fails with HTTP <status> and code <code>

    Examples:
      | case                     | request                                                       | status | code  |
      | preview: no planId       | GET /api/finance/recharge/preview?channel=wechat              | 400    | 40000 |
      | preview: no channel      | GET /api/finance/recharge/preview?planId=coins-100            | 400    | 40000 |
      | preview: unknown channel | GET /api/finance/recharge/preview?planId=coins-100&channel=x  | 400    | 40000 |
      | preview: unknown plan    | GET /api/finance/recharge/preview?planId=nope&channel=wechat  | 404    | 40400 |
      | recharge status: unknown | GET /api/finance/recharge/status/RCH00000000000000000000000   | 404    | 40400 |
      | payment status: unknown  | GET /api/payment/status/PAY00000000000000000000000             | 404    | 40400 |
      | close: unknown           | POST /api/payment/close/PAY00000000000000000000000             | 404    | 40400 |

  Scenario: A notification to a channel the target does not have is not found
    When an anonymous client sends "POST /api/payment/notify/paypal"
    Then the request fails with HTTP 404 and code 40400

  Scenario: The recharge and payment routes refuse a request without credentials
    When an anonymous client sends "GET /api/finance/recharge/plans"
    Then the request fails with HTTP 401 and code 40100
    When an anonymous client sends "POST /api/finance/recharge/create"
    Then the request fails with HTTP 401 and code 40100
    When an anonymous client sends "POST /api/payment/create"
    Then the request fails with HTTP 401 and code 40100
    When an anonymous client sends "GET /api/payment/status/PAY00000000000000000000000"
    Then the request fails with HTTP 401 and code 40100

  Scenario Outline: The admin's recharge routes refuse bad input
    When the admin sends "<request>" with body:
      """
      <body>
      """
    Then the request fails with HTTP 400 and code 40000

    Examples:
      | case                 | request                          | body                                                         |
      | plan: no name        | POST /api/admin/recharge/plans   | {"id":"bad-plan","coins":10,"price":10}                      |
      | plan: negative price | POST /api/admin/recharge/plans   | {"id":"bad-plan","name":"Bad","coins":10,"price":-1}         |
      | plan: zero coins     | POST /api/admin/recharge/plans   | {"id":"bad-plan","name":"Bad","coins":0,"price":10}          |
      | orders: pageSize 0   | POST /api/admin/recharge/orders  | {"page":1,"pageSize":0}                                      |
