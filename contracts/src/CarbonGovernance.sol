// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title Governance of the platform, relayed by its operators: the platform signs every
/// write with its operator key, on behalf of the member who proposed or voted (named by the
/// member's address). Each proposal is the hash of its text (kept off chain), a voting end
/// and a quorum fixed when it is created; a voter votes once per proposal (for, against or
/// abstain); a proposal executes once its voting ended with at least `quorum` votes and more
/// for than against. Execution only records the decision on chain; it calls nothing.
contract CarbonGovernance {
    uint8 public constant AGAINST = 0;
    uint8 public constant FOR = 1;
    uint8 public constant ABSTAIN = 2;

    struct Proposal {
        bytes32 contentHash;
        address proposer;
        uint64 votingEndsAt;
        uint32 quorum;
        uint32 forVotes;
        uint32 againstVotes;
        uint32 abstainVotes;
        bool executed;
    }

    address public owner;
    uint256 public proposalCount;
    mapping(address => bool) public isOperator;
    mapping(uint256 => Proposal) public proposals;
    mapping(uint256 => mapping(address => bool)) public hasVoted;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OperatorSet(address indexed operator, bool enabled);
    event ProposalCreated(
        uint256 indexed id,
        address indexed proposer,
        bytes32 contentHash,
        uint64 votingEndsAt,
        uint32 quorum
    );
    event VoteCast(uint256 indexed id, address indexed voter, uint8 support);
    event ProposalExecuted(uint256 indexed id);

    modifier onlyOwner() {
        require(msg.sender == owner, "CarbonGovernance: caller is not the owner");
        _;
    }

    modifier onlyOperator() {
        require(isOperator[msg.sender], "CarbonGovernance: caller is not an operator");
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        isOperator[msg.sender] = true;
        emit OperatorSet(msg.sender, true);
    }

    /// The second version of this contract (the first had members voting yes or no).
    function version() external pure returns (uint256) {
        return 2;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "CarbonGovernance: new owner is the zero address");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setOperator(address operator, bool enabled) external onlyOwner {
        require(operator != address(0), "CarbonGovernance: zero address");
        isOperator[operator] = enabled;
        emit OperatorSet(operator, enabled);
    }

    function propose(bytes32 contentHash, address proposer, uint64 votingEndsAt, uint32 quorum)
        external
        onlyOperator
        returns (uint256 id)
    {
        require(proposer != address(0), "CarbonGovernance: zero address");
        require(votingEndsAt > block.timestamp, "CarbonGovernance: voting ends in the past");
        require(quorum > 0, "CarbonGovernance: zero quorum");
        id = ++proposalCount;
        proposals[id] = Proposal(contentHash, proposer, votingEndsAt, quorum, 0, 0, 0, false);
        emit ProposalCreated(id, proposer, contentHash, votingEndsAt, quorum);
    }

    function castVote(uint256 id, address voter, uint8 support) external onlyOperator {
        Proposal storage proposal = proposals[id];
        require(proposal.proposer != address(0), "CarbonGovernance: unknown proposal");
        require(block.timestamp < proposal.votingEndsAt, "CarbonGovernance: voting ended");
        require(support <= ABSTAIN, "CarbonGovernance: support is 0, 1 or 2");
        require(voter != address(0), "CarbonGovernance: zero address");
        require(!hasVoted[id][voter], "CarbonGovernance: already voted");
        hasVoted[id][voter] = true;
        if (support == FOR) {
            proposal.forVotes += 1;
        } else if (support == AGAINST) {
            proposal.againstVotes += 1;
        } else {
            proposal.abstainVotes += 1;
        }
        emit VoteCast(id, voter, support);
    }

    /// Whether the proposal's voting ended with its quorum reached and more for than against.
    function passed(uint256 id) public view returns (bool) {
        Proposal storage p = proposals[id];
        uint256 total = uint256(p.forVotes) + p.againstVotes + p.abstainVotes;
        return p.proposer != address(0) && block.timestamp >= p.votingEndsAt
            && total >= p.quorum && p.forVotes > p.againstVotes;
    }

    function execute(uint256 id) external onlyOperator {
        Proposal storage proposal = proposals[id];
        require(proposal.proposer != address(0), "CarbonGovernance: unknown proposal");
        require(!proposal.executed, "CarbonGovernance: proposal already executed");
        require(passed(id), "CarbonGovernance: not passed");
        proposal.executed = true;
        emit ProposalExecuted(id);
    }
}
