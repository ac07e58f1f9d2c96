@finance @recharge
Feature: Recharge
  Coins are bought with a recharge plan, paid through WeChat Pay (Native code_url) or Alipay (precreate
  qr_code) on the provider sandbox. The channel's signed notification marks the order PAID and credits the
  plan's coins and bonus once; records and the summary show it, and agree with the balance.

  Scenario: The enabled recharge plans are listed in display order with their price and coins
    Given a signed-in user
    When the user lists the recharge plans
    Then the recharge plans include:
      | id         | price | currency | coins | bonusCoins | totalCoins |
      | coins-100  | 100   | CNY      | 100   | 0          | 100        |
      | coins-600  | 600   | CNY      | 600   | 60         | 660        |
      | coins-3000 | 3000  | CNY      | 3000  | 500        | 3500       |
      | coins-9800 | 9800  | CNY      | 9800  | 2000       | 11800      |

  Scenario Outline: A recharge paid on <channel> is PAID and credits the plan's coins and bonus
    Given a new user without coins
    When the user previews plan "coins-600" on <channel>
    Then the response data has:
      | plan.id          | coins-600 |
      | channel          | <channel> |
      | payAmount        | 600       |
      | currency         | CNY       |
      | coins            | 600       |
      | bonusCoins       | 60        |
      | totalCoins       | 660       |
    When the user creates a recharge of plan "coins-600" on <channel>
    Then the recharge is PENDING for 600 fen and 660 coins, with a code to pay
    And the recharge is PENDING with nothing credited
    When the buyer pays the order on the sandbox
    Then the sandbox's notification was acknowledged
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins
    And the recharge records list the order as PAID
    And the recharge summary shows 1 of 1 recharge paid, 600 fen, 660 coins credited, as the ledger and the balance do

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A recharge left unpaid past its lifetime is EXPIRED on <channel> and credits nothing
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the recharge's lifetime passes
    Then the recharge is EXPIRED with nothing credited
    And the balance is 0 coins
    And the recharge records list the order as EXPIRED

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A recharge the channel refuses is FAILED on <channel>, answered 503, and credits nothing
    Given a new user without coins
    And the <channel> channel refuses the next call at the sandbox
    When the user creates a recharge of plan "coins-100" on <channel>
    Then the request fails with HTTP 503 and code 50300
    And the recharge records are, newest first:
      | planId    | channel   | status | payAmount | creditedCoins |
      | coins-100 | <channel> | FAILED | 100       | 0             |
    And the balance is 0 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario: Recharge records and the summary agree with the balance over both channels
    Given a new user without coins
    And a recharge of plan "coins-100" the buyer has paid on wechat
    And 1 second passes
    And a recharge of plan "coins-600" the buyer has paid on alipay
    And 1 second passes
    And the user has created a recharge of plan "coins-3000" on wechat
    Then the recharge records are, newest first:
      | planId     | channel | status  | payAmount | totalCoins | creditedCoins |
      | coins-3000 | wechat  | PENDING | 3000      | 3500       | 0             |
      | coins-600  | alipay  | PAID    | 600       | 660        | 660           |
      | coins-100  | wechat  | PAID    | 100       | 100        | 100           |
    And the PAID recharge records number 2
    And the PENDING recharge records number 1
    And the recharge summary shows 2 of 3 recharges paid, 700 fen, 760 coins credited, as the ledger and the balance do
    And the recharge summary by channel is:
      | channel | count | paidCount | paidAmount | creditedCoins |
      | alipay  | 1     | 1         | 600        | 660           |
      | wechat  | 2     | 1         | 100        | 100           |

  Scenario: A disabled recharge plan is listed to the admin only and cannot be bought
    Given a new user without coins
    And the admin has saved a disabled recharge plan "hidden-plan" of 200 fen for 200 coins
    When the user lists the recharge plans
    Then the recharge plans do not include "hidden-plan"
    And the admin's plan list shows "hidden-plan" disabled
    When the user creates a recharge of the scenario's plan "hidden-plan" on wechat
    Then the request fails with HTTP 404 and code 40400

  Scenario: The admin lists a user's recharge orders
    Given a new user without coins
    And a recharge of plan "coins-100" the buyer has paid on alipay
    Then the admin's order list for the user shows the recharge as PAID
