package org.coalition.gateway.challenge;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.Authenticated;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.challenge.ChallengeTypes.Challenge;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengePayload;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengeProgress;
import org.coalition.gateway.challenge.ChallengeTypes.CreateChallengeInput;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** Cross-brand challenges: set by the coalition's operators, visible to everyone, progress for each member. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class ChallengeApi {

    private final ChallengeService challenges;
    private final CurrentCaller caller;

    public ChallengeApi(ChallengeService challenges, CurrentCaller caller) {
        this.challenges = challenges;
        this.caller = caller;
    }

    @Query("challenges")
    @Authenticated
    @Description("The challenges running now.")
    public @NonNull Uni<List<@NonNull Challenge>> challenges() {
        return caller.get().flatMap(challenges::running);
    }

    @Query("myChallenges")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("The calling member's progress in every running challenge.")
    public @NonNull Uni<List<@NonNull ChallengeProgress>> myChallenges() {
        return caller.get().flatMap(challenges::progress);
    }

    @Mutation("createChallenge")
    @PermissionsAllowed(CallerAugmentor.PROGRAM_MANAGE)
    public @NonNull Uni<ChallengePayload> createChallenge(@NonNull @Name("input") CreateChallengeInput input) {
        return caller.get().flatMap(c -> challenges.create(c, input));
    }

    @Mutation("endChallenge")
    @PermissionsAllowed(CallerAugmentor.PROGRAM_MANAGE)
    public @NonNull Uni<ChallengePayload> endChallenge(@NonNull @Name("input") ChallengeTypes.EndChallengeInput input) {
        return caller.get().flatMap(c -> challenges.end(c, input));
    }
}
