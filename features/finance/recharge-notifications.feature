@finance @recharge
Feature: Recharge notifications
  The notify route (POST /api/payment/notify/{channel}, no user auth) takes the channel's signature as its
  authentication. A verified "paid" credits an order once, however often, late, out of order or concurrently it
  arrives; a notification that fails verification (signature, body, timestamp older than 5 minutes) is refused
  and credits nothing; a verified one that cannot be applied (another amount, an unknown or closed order) is
  acknowledged so the channel stops, and credits nothing. Here the runner plays the channel with the keys the
  sandbox publishes, so the rules can be checked on any implementation.

  Scenario Outline: A duplicate of the sandbox's notification credits once on <channel>
    Given a new user without coins
    And a recharge of plan "coins-600" the buyer has paid on <channel>
    When the sandbox resends the order's notification
    Then the sandbox's notification was acknowledged
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: The same valid notification twice credits once on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the channel sends a valid paid notification for the order
    And the channel sends the same notification again
    Then every notification is acknowledged as the channel expects
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A late notification for a paid recharge credits nothing more on <channel>
    Given a new user without coins
    And a recharge of plan "coins-100" the buyer has paid on <channel>
    When the channel sends a valid paid notification for the order
    Then the notification is acknowledged as the channel expects
    And the recharge is PAID and credited 100 coins
    And the balance is 100 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: Notifications out of order credit once on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the channel sends two valid paid notifications, the later one first
    Then every notification is acknowledged as the channel expects
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  @concurrency
  Scenario Outline: Concurrent notifications credit once on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the channel sends the same valid paid notification 8 times at once
    And the channel sends 8 separately signed valid paid notifications at once
    Then every notification is acknowledged as the channel expects
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins
    And the recharge summary shows 1 of 1 recharge paid, 600 fen, 660 coins credited, as the ledger and the balance do

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A notification <flaw> is refused and credits nothing on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the channel sends a paid notification for the order <flaw>
    Then the notification is refused as the channel expects
    And the recharge is PENDING with nothing credited
    And the balance is 0 coins

    @wechat
    Examples: WeChat Pay
      | channel | flaw                                 |
      | wechat  | with a stale timestamp               |
      | wechat  | with a tampered signature            |
      | wechat  | with its body changed after signing  |

    @alipay
    Examples: Alipay
      | channel | flaw                                 |
      | alipay  | with a stale timestamp               |
      | alipay  | with a tampered signature            |
      | alipay  | with its body changed after signing  |

  Scenario Outline: A validly signed notification for another amount is acknowledged and credits nothing on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the channel sends a validly signed paid notification for the order of 601 fen
    Then the notification is acknowledged as the channel expects
    And the recharge is PENDING with nothing credited
    And the balance is 0 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A notification for an unknown order is acknowledged as <channel> expects
    When the channel sends a valid paid notification on <channel> for an order the target does not have
    Then the notification is acknowledged as the channel expects

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A dropped notification is recovered by the status query, and the late one credits nothing more on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    And the sandbox will drop the order's notification
    When the buyer pays the order on the sandbox
    Then the sandbox logged the order's notification as dropped, never sent
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins
    When the sandbox resends the order's notification
    Then the sandbox's notification was acknowledged
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  Scenario Outline: A payment reported after the order was closed is acknowledged and credits nothing on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the user closes the order
    Then the close answers the order CLOSED
    When the channel sends a valid paid notification for the order
    Then the notification is acknowledged as the channel expects
    And the recharge is CLOSED with nothing credited
    And the balance is 0 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  @concurrency
  Scenario Outline: A notification racing a close settles one way on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    When the user closes the order while the channel sends a valid paid notification for it
    Then the order settled one way: paid and credited once with the close refused, or closed with nothing credited

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |

  @concurrency
  Scenario Outline: Status polls racing the notification credit once on <channel>
    Given a new user without coins
    And the user has created a recharge of plan "coins-600" on <channel>
    And the sandbox will drop the order's notification
    When the buyer pays the order on the sandbox
    And the user polls the recharge's status 8 times while the sandbox resends the order's notification
    Then the sandbox's notification was acknowledged
    And the recharge is PAID and credited 660 coins
    And the balance is 660 coins

    @wechat
    Examples: WeChat Pay
      | channel |
      | wechat  |

    @alipay
    Examples: Alipay
      | channel |
      | alipay  |
