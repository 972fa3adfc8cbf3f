// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title Governance of the platform: members propose, vote once per proposal, and execute a
/// proposal once a strict majority of the current members voted for it. Execution only
/// records the decision on chain (the platform acts on the event); it calls nothing.
contract CarbonGovernance {
    struct Proposal {
        address proposer;
        uint64 createdAt;
        bool executed;
        uint32 yesVotes;
        uint32 noVotes;
    }

    address public owner;
    uint32 public memberCount;
    uint256 public proposalCount;
    mapping(address => bool) public isMember;
    mapping(uint256 => Proposal) public proposals;
    mapping(uint256 => mapping(address => bool)) public hasVoted;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event MemberSet(address indexed member, bool enabled);
    event ProposalCreated(uint256 indexed id, address indexed proposer, string description);
    event VoteCast(uint256 indexed id, address indexed voter, bool support);
    event ProposalExecuted(uint256 indexed id);

    modifier onlyOwner() {
        require(msg.sender == owner, "CarbonGovernance: caller is not the owner");
        _;
    }

    modifier onlyMember() {
        require(isMember[msg.sender], "CarbonGovernance: caller is not a member");
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        _setMember(msg.sender, true);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "CarbonGovernance: new owner is the zero address");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setMember(address member, bool enabled) external onlyOwner {
        _setMember(member, enabled);
    }

    function propose(string calldata description) external onlyMember returns (uint256 id) {
        id = ++proposalCount;
        proposals[id] = Proposal(msg.sender, uint64(block.timestamp), false, 0, 0);
        emit ProposalCreated(id, msg.sender, description);
    }

    function vote(uint256 id, bool support) external onlyMember {
        Proposal storage proposal = proposals[id];
        require(proposal.proposer != address(0), "CarbonGovernance: unknown proposal");
        require(!proposal.executed, "CarbonGovernance: proposal already executed");
        require(!hasVoted[id][msg.sender], "CarbonGovernance: already voted");
        hasVoted[id][msg.sender] = true;
        if (support) {
            proposal.yesVotes += 1;
        } else {
            proposal.noVotes += 1;
        }
        emit VoteCast(id, msg.sender, support);
    }

    function execute(uint256 id) external onlyMember {
        Proposal storage proposal = proposals[id];
        require(proposal.proposer != address(0), "CarbonGovernance: unknown proposal");
        require(!proposal.executed, "CarbonGovernance: proposal already executed");
        require(
            uint256(proposal.yesVotes) * 2 > memberCount, "CarbonGovernance: no majority yet"
        );
        proposal.executed = true;
        emit ProposalExecuted(id);
    }

    function _setMember(address member, bool enabled) private {
        require(member != address(0), "CarbonGovernance: zero address");
        if (isMember[member] == enabled) {
            return;
        }
        isMember[member] = enabled;
        if (enabled) {
            memberCount += 1;
        } else {
            memberCount -= 1;
        }
        emit MemberSet(member, enabled);
    }
}
