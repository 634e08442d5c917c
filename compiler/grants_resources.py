"""The statements Paco's resource-based permission types grant in one account, each scoped to the
repository, project, pipeline or resource group it names (as tightly as Paco, or tighter).

    Grant(CodeCommit, "tools", resources=(Resource("repository", arn=".../acme-webapp", grant=ReadWrite),))
      -> ("CodeCommitPolicy", [{"Sid": "CodeCommitReadWrite", "Action": ["codecommit:*"],
                                "Resource": ["arn:aws:codecommit:us-west-2:555555555555:acme-webapp"]}, ...])
"""

from __future__ import annotations

import dataclasses

from . import policies
from .ir import CodeBuild, CodeCommit, DeploymentPipelines, SystemsManagerSession
from .resolve import Grant

CODECOMMIT_READ_ONLY = ["codecommit:BatchGet*", "codecommit:BatchDescribe*", "codecommit:List*", "codecommit:GitPull*"]
CODEBUILD_READ_ONLY = ["codebuild:BatchGet*", "codebuild:Get*", "codebuild:List*"]
CODEBUILD_RUN = ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:RetryBuild"]
# as in Paco, read access includes starting and stopping an execution
PIPELINE_READ = [
    "codepipeline:GetPipeline",
    "codepipeline:GetPipelineState",
    "codepipeline:GetPipelineExecution",
    "codepipeline:ListPipelineExecutions",
    "codepipeline:ListActionExecutions",
    "codepipeline:ListTagsForResource",
    "codepipeline:StartPipelineExecution",
    "codepipeline:StopPipelineExecution",
]
SESSION_TAG = "ssm:resourceTag/Paco-Application-Group-Name"
PORT_FORWARDING_DOCUMENTS = ("AWS-StartPortForwardingSession", "AWS-StartPortForwardingSessionToRemoteHost")

# the logical ID of each type's policy in a delegate stack (Paco's, where Paco had one)
POLICY_IDS = {
    "CodeCommit": "CodeCommitPolicy",
    "CodeBuild": "CodeBuildPolicy",
    "DeploymentPipelines": "CodePipelinePolicy",
    "SystemsManagerSession": "SessionManagerPolicy",
}


def _unique(items):
    return list(dict.fromkeys(items))


def statements(partition: str, account, grants: list[Grant]) -> list[tuple[str, list[dict]]]:
    """(policy logical ID, its statements) for each resource-based type among `grants`, in a fixed order."""
    by_type: dict[str, list] = {}
    for g in grants:
        # a resource without a region of its own is in its account's
        by_type.setdefault(g.permission.type, []).extend(
            r if r.region else dataclasses.replace(r, region=account.region) for r in g.resources
        )
    account_id = account.account_id
    out = []
    for type_name, build in (
        ("CodeCommit", _codecommit),
        ("DeploymentPipelines", _pipelines),
        ("CodeBuild", _codebuild),
        ("SystemsManagerSession", _sessions),
    ):
        if by_type.get(type_name):
            out.append((POLICY_IDS[type_name], build(partition, account_id, by_type[type_name])))
    return out


def _codecommit(partition: str, account_id: str, resources) -> list[dict]:
    read_write = _unique(r.arn for r in resources if r.grant.permission == "ReadWrite")
    read_only = _unique(r.arn for r in resources if r.grant.permission == "ReadOnly" and r.arn not in read_write)
    out = []
    if read_write:
        out.append(policies.statement("Allow", ["codecommit:*"], read_write, sid="CodeCommitReadWrite"))
    if read_only:
        out.append(policies.statement("Allow", CODECOMMIT_READ_ONLY, read_only, sid="CodeCommitReadOnly"))
    out.append(policies.statement("Allow", ["codecommit:ListRepositories"], ["*"], sid="CodeCommitListRepositories"))
    return out


def _pipelines(partition: str, account_id: str, resources) -> list[dict]:
    read, retry, approve = [], [], []
    for r in resources:
        wanted = r.grant.permissions
        if "ReadOnly" in wanted:
            read.append(r.arn)
        if "RetryStages" in wanted:
            retry += [f"{r.arn}/{stage}" for stage in r.stages] if r.stages else [f"{r.arn}/*"]
        if "ManualApproval" in wanted:
            approve += [f"{r.arn}/{action}" for action in r.approval_actions] if r.approval_actions else [f"{r.arn}/*"]
    out = []
    if read:
        out.append(
            policies.statement(
                "Allow", ["codepipeline:ListPipelines", "codepipeline:ListActionTypes"], ["*"], sid="CodePipelineList"
            )
        )
        out.append(policies.statement("Allow", PIPELINE_READ, _unique(read), sid="CodePipelineRead"))
    if retry:
        out.append(
            policies.statement(
                "Allow", ["codepipeline:RetryStageExecution"], _unique(retry), sid="CodePipelineRetryStages"
            )
        )
    if approve:
        out.append(
            policies.statement(
                "Allow", ["codepipeline:PutApprovalResult"], _unique(approve), sid="CodePipelineManualApproval"
            )
        )
    return out


def _codebuild(partition: str, account_id: str, resources) -> list[dict]:
    projects = _unique(r.arn for r in resources)
    runners = _unique(r.arn for r in resources if r.grant.permission == "ReadWrite")
    logs = _unique(
        f"arn:{partition}:logs:{r.region}:{account_id}:log-group:/aws/codebuild/{r.name}:*" for r in resources
    )
    regions = _unique(r.region for r in resources)
    out = [
        policies.statement("Allow", CODEBUILD_READ_ONLY, projects, sid="CodeBuildReadOnly"),
        policies.statement("Allow", ["codebuild:ListProjects", "codebuild:ListBuilds"], ["*"], sid="CodeBuildList"),
    ]
    if runners:
        out.append(policies.statement("Allow", CODEBUILD_RUN, runners, sid="CodeBuildRun"))
    out += [
        policies.statement("Allow", ["cloudwatch:GetMetricStatistics"], ["*"], sid="CodeBuildMetrics"),
        policies.statement(
            "Allow",
            ["events:DescribeRule", "events:ListTargetsByRule", "events:ListRuleNamesByTarget"],
            [f"arn:{partition}:events:{region}:{account_id}:rule/*" for region in regions],
            sid="CodeBuildEventRules",
        ),
        policies.statement("Allow", ["logs:GetLogEvents"], logs, sid="CodeBuildLogs"),
    ]
    return out


def _sessions(partition: str, account_id: str, resources) -> list[dict]:
    groups = _unique(r.name for r in resources)
    regions = _unique(r.region for r in resources)
    instances = [f"arn:{partition}:ec2:{region}:{account_id}:instance/*" for region in regions]
    documents = [
        f"arn:{partition}:ssm:{region}::document/{doc}" for region in regions for doc in PORT_FORWARDING_DOCUMENTS
    ]
    documents += [
        f"arn:{partition}:ssm:{region}:{account_id}:document/SSM-SessionManagerRunShell" for region in regions
    ]
    sessions = [f"arn:{partition}:ssm:{region}:{account_id}:session/*" for region in regions]
    return [
        policies.statement(
            "Allow",
            ["ssm:StartSession"],
            instances,
            sid="SessionManagerStartSession",
            condition={"StringEquals": {SESSION_TAG: groups if len(groups) > 1 else groups[0]}},
        ),
        policies.statement("Allow", ["ssm:StartSession"], documents, sid="SessionManagerDocuments"),
        # in an assumed-role session `aws:username` does not exist: a session is tagged with `aws:userid`
        policies.statement(
            "Allow",
            ["ssm:TerminateSession", "ssm:ResumeSession"],
            sessions,
            sid="SessionManagerOwnSessions",
            condition={"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": ["${aws:userid}"]}},
        ),
        policies.statement(
            "Allow",
            [
                "ssm:DescribeSessions",
                "ssm:GetConnectionStatus",
                "ssm:DescribeInstanceProperties",
                "ec2:DescribeInstances",
            ],
            ["*"],
            sid="SessionManagerDescribe",
        ),
    ]


RESOURCE_TYPES = (CodeCommit, CodeBuild, DeploymentPipelines, SystemsManagerSession)
