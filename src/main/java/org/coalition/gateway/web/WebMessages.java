package org.coalition.gateway.web;

import io.quarkus.qute.i18n.Message;
import io.quarkus.qute.i18n.MessageBundle;

/** The web apps' words in English; Dutch in messages/msg_nl.properties. Templates use them as {@code msg:key}. */
@MessageBundle(value = "msg", locale = "en")
public interface WebMessages {
    @Message("Coalition Points") String app_name();
    @Message("Skip to content") String skip_to_content();
    @Message("Main") String nav_label();
    @Message("My points") String nav_points();
    @Message("History") String nav_history();
    @Message("Console") String nav_console();
    @Message("Settlement") String nav_settlement();
    @Message("Campaigns") String nav_campaigns();
    @Message("Webhooks") String nav_webhooks();
    @Message("Budget left") String budget_left();
    @Message("Bonuses") String bonuses();
    @Message("Runs") String runs();
    @Message("No campaigns yet.") String no_campaigns();
    @Message("Events") String events();
    @Message("Pending") String pending();
    @Message("Failed for good") String dead_letters();
    @Message("enabled") String enabled();
    @Message("disabled") String disabled();
    @Message("No webhook endpoints yet.") String no_webhooks();
    @Message("New campaigns are set up through the GraphQL API (createCampaign); pause, resume or end them here.")
    String campaigns_created_by_api();
    @Message("{#when status}{#is 'ACTIVE'}Active{#is 'PAUSED'}Paused{#is 'ENDED'}Ended{#else}{status}{/when}")
    String campaign_status(String status);
    @Message("{#when status}{#is 'ACTIVE'}Campaign resumed.{#is 'PAUSED'}Campaign paused: it grants no bonus until resumed."
            + "{#is 'ENDED'}Campaign ended for good.{/when}")
    String campaign_notice(String status);
    @Message("Pause") String pause();
    @Message("Resume") String resume();
    @Message("End") String end_campaign();
    @Message("for good") String end_for_good();
    @Message("{#when notice}{#is 'enabled'}Endpoint enabled.{#is 'disabled'}Endpoint disabled: events raised now are not queued for it."
            + "{#is 'deleted'}Endpoint deleted.{#is 'replayed'}{count} dead deliveries queued again.{/when}")
    String webhook_notice(String notice, String count);
    @Message("Endpoint created") String endpoint_created();
    @Message("New signing secret") String secret_rotated();
    @Message("The signing secret is shown only now: copy it to your receiver.") String secret_shown_once();
    @Message("For a day, deliveries are signed with the old secret as well.") String old_secret_for_a_day();
    @Message("Paused after failures until") String circuit_open_until();
    @Message("Old secret also signs until") String previous_secret_until();
    @Message("Rotate secret") String rotate_secret();
    @Message("Disable") String disable();
    @Message("Enable") String enable();
    @Message("Delete") String delete();
    @Message("with its deliveries") String delete_for_good();
    @Message("{count} attempts") String attempts_made(int count);
    @Message("Send again") String replay();
    @Message("Send all again ({count})") String replay_all(int count);
    @Message("New endpoint") String new_endpoint();
    @Message("Description (optional)") String description();
    @Message("Create endpoint") String create_endpoint();
    @Message("Sign out") String sign_out();
    @Message("Sign in") String sign_in();
    @Message("You are signed out") String signed_out_title();
    @Message("Not for you") String forbidden_title();
    @Message("You are signed in, but this page belongs to another app.") String forbidden_text();
    @Message("Go to your own page") String forbidden_back();
    @Message("Could not do that:") String error_prefix();
    @Message("Balance") String balance();
    @Message("Available") String available();
    @Message("On hold") String held();
    @Message("{points} points expire by {date}") String expiring_soon(String points, String date);
    @Message("No points expire in the next 30 days.") String nothing_expiring();
    @Message("Points by brand") String points_by_brand();
    @Message("No points yet: shop at any partner with your card.") String no_points_yet();
    @Message("Tier") String tier();
    @Message("since {date}") String since(String date);
    @Message("{points} more to reach {tier}") String to_next_tier(String points, String tier);
    @Message("Progress to the next tier") String tier_progress();
    @Message("You are in the top tier.") String top_tier();
    @Message("My card") String my_card();
    @Message("Card number") String card_number();
    @Message("Donate points") String donate();
    @Message("Charity") String charity();
    @Message("Points") String points();
    @Message("Donate") String donate_button();
    @Message("No charity takes donations right now.") String no_charities();
    @Message("Thank you: you donated {points} points.") String donated(String points);
    @Message("Link your card") String claim_title();
    @Message("Enter the number on your coalition card to see your points here.") String claim_text();
    @Message("Link card") String claim_button();
    @Message("Type") String filter_kind();
    @Message("Brand") String filter_brand();
    @Message("From") String filter_from();
    @Message("Until") String filter_to();
    @Message("Show") String filter_apply();
    @Message("Check the filter: dates are year-month-day.") String filter_invalid();
    @Message("All") String all();
    @Message("Date") String date();
    @Message("What") String what();
    @Message("Older") String more();
    @Message("No transactions.") String no_transactions();
    @Message("{#when kind}{#is 'EARN'}Earned{#is 'BONUS'}Bonus{#is 'REDEMPTION'}Redeemed{#is 'DONATION'}Donated"
            + "{#is 'REVERSAL'}Reversal{#is 'EXPIRY'}Expired{#is 'TRANSFER'}Transfer{#else}{kind}{/when}")
    String kind(String kind);
    @Message("Look up") String look_up();
    @Message("No member has this card.") String no_member();
    @Message("Earn points") String earn();
    @Message("Purchase amount") String purchase_amount();
    @Message("Receipt number (optional)") String receipt();
    @Message("Earn") String earn_button();
    @Message("Our transactions with this member") String own_transactions();
    @Message("Reverse") String reverse();
    @Message("{points} points earned.") String earned(String points);
    @Message("{points} points reversed.") String reversed(String points);
    @Message("Settlement periods") String periods();
    @Message("Period") String period();
    @Message("Status") String status();
    @Message("Actions") String actions();
    @Message("{#when status}{#is 'OPEN'}Open{#is 'CLOSED'}Closed{#else}{status}{/when}") String period_status(String status);
    @Message("Close period") String close_period();
    @Message("closed {date}") String closed_at(String date);
    @Message("Points issued and redeemed per partner") String chart_title();
    @Message("Issued") String issued();
    @Message("Redeemed here") String redeemed_here();
    @Message("No closed periods yet.") String no_closed_periods();
    @Message("Statements (CSV)") String download_statements();
    @Message("Records (CSV)") String download_records();
    @Message("Who owes whom") String matrix();
    @Message("Rows owe columns; darker is more.") String matrix_caption();
    @Message("Owes") String debtor();
    @Message("Owed to") String creditor();
    @Message("Nobody owes anybody in this period.") String nothing_owed();
    @Message("Statements") String statements();
    @Message("Partner") String partner();
    @Message("Owes") String owed();
    @Message("Due") String due();
    @Message("Net") String net();
    @Message("Amount") String amount();
    @Message("disputed") String disputed();
    @Message("Open disputes") String open_disputes();
    @Message("No open disputes.") String no_disputes();
    @Message("Corrected amount (to accept)") String corrected_amount();
    @Message("Note") String note();
    @Message("Accept") String accept();
    @Message("Reject") String reject();
    @Message("Dispute accepted: the adjustment is in the open period.") String dispute_accepted();
    @Message("Dispute rejected.") String dispute_rejected();
    @Message("No records.") String no_records();
    @Message("The period is open: statements and the matrix are made when it closes.") String period_open_text();
}
